from langchain_openai.chat_models.base import ChatOpenAI

__all__ = ["ChatOpenAI"]
