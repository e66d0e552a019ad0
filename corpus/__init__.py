"""The sample archive: agreements convenio writes itself, their gold, and the renderers."""
