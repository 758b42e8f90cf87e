"""§4.1 What behaviour does human preference data reward? (Sharma et al. §4.1, Fig. 5; App. B)

hh-rlhf helpfulness pairs are labelled with features (offline proxies or an LLM labeller),
then a Bayesian logistic regression with a sparse Laplace prior predicts which response
was preferred from the feature differences. σ(α_i) is the probability that the response
with more of feature i is preferred, all else equal.
"""

from syco.tasks.preference_data.run import CHAPTER, PROXY, VERSION, run, run_one

__all__ = ["CHAPTER", "PROXY", "VERSION", "run", "run_one"]
