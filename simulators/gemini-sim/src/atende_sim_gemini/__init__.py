"""Gemini API simulator: generateContent with structured output and switchable failure modes."""
