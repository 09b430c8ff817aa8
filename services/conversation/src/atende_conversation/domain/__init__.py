"""The dialogue, pure: states, inputs, effects, the transition table and the message catalog."""
