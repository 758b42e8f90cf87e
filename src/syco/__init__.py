"""syco: an executable reproduction of Sharma et al. (2023), *Towards Understanding
Sycophancy in Language Models* (arXiv 2310.13548)."""

__version__ = "0.1.0"
