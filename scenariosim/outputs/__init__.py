"""Outputs: dataset records, crash-safe JSONL streams, traces, and the final dataset files."""
