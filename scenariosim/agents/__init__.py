"""Agents: plain functions of (inputs, model) that return validated pydantic objects.

`persona_agent` writes posts, comments and image prompts; `critic` scores a draft against
the context it was given. Prompts are files in `prompts/`, rendered by `prompting`.
Agents know nothing of LangGraph or files on disk.
"""
