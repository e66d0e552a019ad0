"""One module per fact type; each exposes ``run(doc, ctx)`` filling its part of the Document."""
