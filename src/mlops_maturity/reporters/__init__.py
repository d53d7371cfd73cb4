"""Pure renderers: a finished Result in, a string out. They never see the engine."""
