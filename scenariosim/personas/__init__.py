"""Personas from census households in the World Bank "Synthetic Data for an Imaginary
Country" schema: loading, the shipped stand-in sample, weighted sampling, enrichment."""
