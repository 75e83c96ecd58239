"""Test doubles live in scenariosim.models.fake; re-exported here for test imports."""

from scenariosim.models.fake import CANNED, SchemaAnsweringChatModel, ScriptedChatModel

__all__ = ["CANNED", "SchemaAnsweringChatModel", "ScriptedChatModel"]
