// Intentionally empty: the stand-in libraries of the engine link-rule check.
