"""boundcalc: exact convergence bounds for masked diffusion language models (placeholder, filled in below)."""
