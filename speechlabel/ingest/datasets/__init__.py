"""Dataset imports: bring an existing dataset in for correction, its texts as drafts.

Sources: a NeMo manifest (or a folder of split manifests), a Lhotse recordings + supervisions
pair, or a folder of audio files with ``.srt``, ``.vtt`` or ``.TextGrid`` transcripts beside
them. One entry point, :func:`import_dataset`, with :class:`ImportOptions` (the kind, detected
from the path unless given, and the TextGrid tier). Modules: ``detect`` (which kind, which
files), one reader per source (``nemo``, ``lhotse_reader``, ``subtitles`` with the parsers
``srt_vtt`` and ``textgrid``), ``paths`` (which audio paths may be read), ``checks`` (the
rules every segment must meet), ``run`` (the import itself) and ``arguments`` (the command).
"""

from speechlabel.ingest.datasets.model import ImportProblem
from speechlabel.ingest.datasets.options import DatasetKind, ImportOptions
from speechlabel.ingest.datasets.run import IMPORT_ENGINE, DatasetImportReport, import_dataset

__all__ = ["IMPORT_ENGINE", "DatasetImportReport", "DatasetKind", "ImportOptions", "ImportProblem", "import_dataset"]
