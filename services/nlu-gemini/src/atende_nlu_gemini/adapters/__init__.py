"""Real implementations of the ports: model store, feedback store, Gemini client."""
