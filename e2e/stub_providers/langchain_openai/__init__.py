"""Test stand-in for the `langchain_openai` package (see ../README.md)."""

from langchain_openai.chat_models.base import ChatOpenAI

__all__ = ["ChatOpenAI"]
