"""`kzdocs preview`: a local web page showing a record's documents in Kazakh beside Russian,
re-rendered whenever a template, words file, configuration or record is saved.

    from kzdocs.preview import Preview, PreviewServer, Workspace

    server = PreviewServer(Preview(Workspace(records=Path("fixtures"))), port=0)
    print(server.url)
    server.serve()
"""

from kzdocs.preview.server import PreviewServer
from kzdocs.preview.session import Preview
from kzdocs.preview.workspace import Workspace

__all__ = ["Preview", "PreviewServer", "Workspace"]
