"""HTTP handlers, one module per document. They translate requests and answers; state decides."""
