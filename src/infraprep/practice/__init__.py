"""Practice: the workspace, progress and mastery, reviews, and (later) drills, katas and mocks."""
