"""One module per format; each parses into ``records`` and renders from meetings, with no queries of its own."""
