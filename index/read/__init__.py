"""Reading: files of every format, saved web pages, PDFs, URLs and feeds become `Article`s.
May import `index.records` and `index.settings`, nothing else of `index`."""
