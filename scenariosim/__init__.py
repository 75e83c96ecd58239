"""scenariosim: grounded synthetic social-media datasets for a fictional country."""

__version__ = "0.1.0"
