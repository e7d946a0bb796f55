"""Class sets: variants, refusals, one variant's job, student sheets, batches, stress tests,
answer keys, joined PDFs and the workers' warm start."""
