"""openai-whisper as an optional second engine, run from the bundled CTranslate2 weights.

``ct2_model`` reads a CTranslate2 ``model.bin`` (numpy only), ``mapping`` maps its variables
onto openai-whisper's state dict, ``checkpoint`` writes the converted checkpoint into the model
cache once, and ``engine`` is ``OpenAIWhisperEngine``. Only ``checkpoint`` and ``engine`` need
torch / openai-whisper (``requirements-openai-whisper.txt``).
"""
