"""Pure NLU logic: labels, normalisation, entities, classifiers, policy. No I/O, no frameworks."""
