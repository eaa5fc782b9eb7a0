"""The care home registry: providers, homes, CQC ratings and the CQC directory import."""
