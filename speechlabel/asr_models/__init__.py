"""Whisper models a company already has: register, convert to CTranslate2, verify, list, remove.

``convert`` turns a source (CTranslate2 directory, Hugging Face Whisper checkpoint) into a
CTranslate2 directory; ``verify`` measures WER and speed on a folder of wav + txt pairs;
``manage`` is what the command line and the Models page call (with the access rule).
Where registered models live and how a name resolves: ``workspace.registered_models``.
"""
