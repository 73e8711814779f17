"""A deterministic `ChatOpenAI` that serialises like the real one and answers offline."""

from __future__ import annotations

from typing import Any, Optional

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult


class ChatOpenAI(BaseChatModel):
    """Echoes `<model_name>: <messages joined by ' | '>`."""

    model_name: str = "gpt-4o-mini"
    temperature: float = 0.0

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain", "chat_models", "openai"]

    @property
    def _llm_type(self) -> str:
        return "stub-openai-chat"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: Optional[list[str]] = None,
        run_manager: Optional[CallbackManagerForLLMRun] = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = " | ".join(str(m.content) for m in messages)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=f"{self.model_name}: {text}"))])
