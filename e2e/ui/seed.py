"""Seeds an Anvil server with data for the UI: realistic traces through the real SDK and LangChain,
plus bulk traces with explicit timestamps (spread over 7 days, for the monitor charts) through the
raw multipart wire format.

    python e2e/ui/seed.py --url http://127.0.0.1:1984 --api-key KEY [--big-trace 10000]

Projects created:
  ui-demo      chat agent traces (chat messages, tool calls, retriever docs, markdown answers, a
               streamed LangChain model with token usage and cost), errors, tags, metadata,
               feedback, an image attachment, three conversation threads.
  ui-monitor   ~700 traces spread over the last 7 days with latencies, errors, tokens, costs and
               feedback scores.
  ui-empty     a project without runs.
  ui-big       (optional) one trace with N runs for the tree benchmark.
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import random
import sys
import uuid
from pathlib import Path
from typing import Any, Optional

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from wire import Api, encode_multipart, feedback_part, new_boundary, run_parts  # noqa: E402

# A 4×4 PNG (orange square) for the attachment.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAFElEQVR4nGP4/58BCzD8z4BVGAMAjoED/ZqJfoAAAAAASUVORK5CYII=")

MARKDOWN_ANSWER = """## Paris

Paris is the **capital of France** and its largest city.

- Population: about 2.1 million
- River: *the Seine*

```python
print("Bonjour")
```

See [Wikipedia](https://en.wikipedia.org/wiki/Paris)."""


def iso(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).isoformat()


def stamp(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


class TraceBuilder:
    """Builds a trace's runs with explicit times and dotted orders (raw wire format)."""

    def __init__(self, project: str, start: dt.datetime):
        self.project = project
        self.start = start
        self.runs: list[dict] = []
        self.attachments: dict[str, dict[str, tuple[str, bytes]]] = {}

    def add(self, name: str, run_type: str, *, parent: Optional[dict] = None, offset: float = 0.0,
            duration: float = 0.1, inputs: Any = None, outputs: Any = None, error: Optional[str] = None,
            tags: Optional[list[str]] = None, metadata: Optional[dict] = None, events: Optional[list] = None,
            usage: Optional[dict] = None) -> dict:
        rid = str(uuid.uuid4())
        start = (parent["_start"] if parent else self.start) + dt.timedelta(seconds=offset)
        end = start + dt.timedelta(seconds=duration)
        order = (parent["dotted_order"] + "." if parent else "") + stamp(start) + rid
        meta = dict(metadata or {})
        if usage:
            meta["usage_metadata"] = usage
        run = {
            "id": rid, "trace_id": parent["trace_id"] if parent else rid, "parent_run_id": parent["id"] if parent else None,
            "dotted_order": order, "name": name, "run_type": run_type, "start_time": iso(start), "end_time": iso(end),
            "session_name": self.project, "inputs": inputs if inputs is not None else {},
            "outputs": outputs if outputs is not None and error is None else None, "error": error,
            "tags": tags or [], "extra": {"metadata": meta, "runtime": {"sdk": "seed"}}, "events": events or [],
            "_start": start,
        }
        self.runs.append(run)
        return run

    def groups(self) -> list[list]:
        """The parts of each run (a run's parts must travel in one request)."""
        out = []
        for r in self.runs:
            clean = {k: v for k, v in r.items() if not k.startswith("_") and v is not None}
            out.append(run_parts("post", clean, attachments=self.attachments.get(r["id"])))
        return out


def send(api: Api, builders: list[TraceBuilder], feedback: list[dict] = ()) -> None:
    groups = [g for b in builders for g in b.groups()] + [[feedback_part(f)] for f in feedback]
    # Keep requests well under the 25 MB limit, never splitting a run's parts.
    chunk: list = []
    size = 0
    for g in groups:
        chunk += g
        size += sum(len(p.body) for p in g)
        if size > 4_000_000:
            _post(api, chunk)
            chunk, size = [], 0
    if chunk:
        _post(api, chunk)


def _post(api: Api, parts: list) -> None:
    boundary = new_boundary()
    r = api.post("/runs/multipart", data=encode_multipart(parts, boundary),
                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    r.raise_for_status()


def chat_turn(project: str, start: dt.datetime, thread: str, question: str, answer: str, *, error: bool = False,
              with_attachment: bool = False) -> tuple[TraceBuilder, dict]:
    b = TraceBuilder(project, start)
    history = [{"role": "system", "content": "You are a helpful travel assistant."},
               {"role": "user", "content": question}]
    root = b.add("ChatAgent", "chain", duration=2.4, inputs={"messages": history},
                 outputs={"messages": history + [{"role": "assistant", "content": answer}]},
                 tags=["agent", "production"], metadata={"session_id": thread, "user_id": "alice", "env": "prod"},
                 error="ValueError: the weather API timed out\n  File \"agent.py\", line 42, in run\n    raise ValueError(...)" if error else None)
    retr = b.add("search_docs", "retriever", parent=root, offset=0.05, duration=0.3, inputs={"query": question},
                 outputs={"documents": [{"page_content": "Paris is the capital and most populous city of France.",
                                         "metadata": {"source": "wiki/paris"}},
                                        {"page_content": "The Seine flows through Paris.", "metadata": {"source": "wiki/seine"}}]})
    llm1 = b.add("ChatOpenAI", "llm", parent=root, offset=0.4, duration=0.9,
                 inputs={"messages": [[{"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "SystemMessage"], "kwargs": {"content": "You are a helpful travel assistant."}},
                                       {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "HumanMessage"], "kwargs": {"content": question}}]]},
                 outputs={"generations": [[{"text": "", "type": "ChatGeneration", "message": {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "AIMessage"], "kwargs": {
                     "content": "", "tool_calls": [{"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1", "type": "tool_call"}]}}}]]},
                 metadata={"ls_provider": "openai", "ls_model_name": "gpt-4o-mini"},
                 usage={"input_tokens": 180, "output_tokens": 25, "total_tokens": 205, "input_cost": 0.000027, "output_cost": 0.000015, "total_cost": 0.000042},
                 events=[{"name": "new_token", "time": iso(start + dt.timedelta(seconds=0.65))}])
    tool = b.add("get_weather", "tool", parent=root, offset=1.35, duration=0.2, inputs={"city": "Paris"},
                 outputs={"output": "18°C, light rain"}, error="TimeoutError: upstream took longer than 10s" if error else None)
    llm2 = b.add("ChatOpenAI", "llm", parent=root, offset=1.6, duration=0.75,
                 inputs={"messages": history + [
                     {"role": "assistant", "content": "", "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
                     {"role": "tool", "tool_call_id": "call_1", "content": "18°C, light rain"}]},
                 outputs={"choices": [{"message": {"role": "assistant", "content": answer}}]},
                 metadata={"ls_provider": "openai", "ls_model_name": "gpt-4o-mini"},
                 usage={"input_tokens": 240, "output_tokens": 120, "total_tokens": 360, "input_cost": 0.000036, "output_cost": 0.000072, "total_cost": 0.000108,
                        "input_token_details": {"cache_read": 128}},
                 events=[{"name": "new_token", "time": iso(start + dt.timedelta(seconds=1.8))}])
    if with_attachment:
        b.attachments[root["id"]] = {"photo": ("image/png", PNG)}
    return b, root


def seed_demo(api: Api) -> dict:
    now = dt.datetime.now(dt.timezone.utc)
    builders, roots = [], []
    threads = {"thread-paris": ["What's the capital of France?", "What's the weather there?", "Thanks! Any museums?"],
               "thread-tokyo": ["Plan a day in Tokyo", "Where should I eat sushi?"],
               "thread-rome": ["Is the Colosseum open on Mondays?"]}
    i = 0
    error_root = None
    for thread, questions in threads.items():
        for turn, q in enumerate(questions):
            start = now - dt.timedelta(minutes=60 - i * 4)
            errored = thread == "thread-tokyo" and turn == 1
            b, root = chat_turn("ui-demo", start, thread, q, MARKDOWN_ANSWER if turn == 0 else f"Answer {turn}: it depends on the season.",
                                error=errored, with_attachment=(i == 0))
            builders.append(b)
            roots.append(root)
            if errored:
                error_root = root
            i += 1
    # A plain non-chat trace with structured outputs.
    b = TraceBuilder("ui-demo", now - dt.timedelta(minutes=5))
    plain = b.add("extract_entities", "chain", duration=0.8, inputs={"text": "Marie Curie was born in Warsaw in 1867."},
                  outputs={"entities": [{"name": "Marie Curie", "type": "PERSON"}, {"name": "Warsaw", "type": "GPE"}, {"year": 1867}]},
                  tags=["batch"], metadata={"user_id": "bob", "env": "staging"})
    b.add("parse", "parser", parent=plain, offset=0.5, duration=0.1, inputs={"raw": "…"}, outputs={"ok": True})
    builders.append(b)
    roots.append(plain)
    feedback = []
    for n, root in enumerate(roots):
        feedback.append({"id": str(uuid.uuid4()), "run_id": root["id"], "trace_id": root["trace_id"], "key": "correctness",
                         "score": 1.0 if n % 3 else 0.0, "comment": "checked by hand" if n == 0 else None,
                         "feedback_source": {"type": "api"}})
    send(Api(api.base, api.api_key), builders, feedback)
    return {"root_ids": [r["id"] for r in roots], "first_root": roots[0]["id"], "error_root": error_root["id"],
            "threads": list(threads)}


def seed_monitor(api: Api, traces: int = 700, seed: int = 7) -> None:
    rnd = random.Random(seed)
    now = dt.datetime.now(dt.timezone.utc)
    builders, feedback = [], []
    for i in range(traces):
        start = now - dt.timedelta(seconds=rnd.uniform(60, 7 * 86400 - 60))
        b = TraceBuilder("ui-monitor", start)
        latency = rnd.lognormvariate(0, 0.6)
        err = rnd.random() < 0.06
        root = b.add("pipeline", "chain", duration=latency, inputs={"q": f"question {i}"}, outputs={"a": f"answer {i}"},
                     error="RuntimeError: boom" if err else None, metadata={"session_id": f"t-{i % 40}"})
        b.add("ChatOpenAI", "llm", parent=root, offset=0.01, duration=latency * 0.8, inputs={"q": i}, outputs={"a": i},
              usage={"input_tokens": rnd.randint(50, 400), "output_tokens": rnd.randint(20, 200),
                     "input_cost": 0.00001, "output_cost": 0.00002})
        builders.append(b)
        if rnd.random() < 0.5:
            feedback.append({"id": str(uuid.uuid4()), "run_id": root["id"], "trace_id": root["id"], "key": "helpfulness",
                             "score": rnd.choice([0, 0.5, 1, 1]), "feedback_source": {"type": "api"}})
    send(api, builders, feedback)


def seed_big_trace(api: Api, n: int) -> str:
    """One trace of n runs: a root with fan-out chains, each with a few children (depth ≤ 4)."""
    b = TraceBuilder("ui-big", dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=10))
    root = b.add("BigAgent", "chain", duration=60, inputs={"task": "stress the tree"}, outputs={"done": True})
    made = 1
    step = 0
    while made < n:
        chain = b.add(f"step_{step}", "chain", parent=root, offset=step * 0.005, duration=0.5, inputs={"i": step}, outputs={"ok": True})
        made += 1
        for j in range(3):
            if made >= n:
                break
            kind = ("llm", "tool", "retriever")[j]
            leaf = b.add(f"{kind}_{step}_{j}", kind, parent=chain, offset=0.01 * (j + 1), duration=0.1,
                         inputs={"x": j}, outputs={"y": j}, usage={"input_tokens": 10, "output_tokens": 5} if kind == "llm" else None)
            made += 1
            if j == 0 and made < n:
                b.add(f"parse_{step}", "parser", parent=leaf, offset=0.05, duration=0.01, inputs={}, outputs={})
                made += 1
        step += 1
    send(api, [b])
    return root["id"]


def seed_dataset(api: Api) -> dict:
    """Dataset `ui-dataset` (12 QA examples, splits, a tag) and experiments `ui-exp-baseline` and
    `ui-exp-candidate` with a root run per example and `correctness` feedback; the candidate
    improves on 3 examples and regresses on 2. Also an empty dataset `ui-dataset-empty`."""
    r = api.post("/datasets", json={"name": "ui-dataset", "description": "Capital cities QA", "data_type": "kv",
                                    "inputs_schema_definition": {"type": "object", "properties": {"question": {"type": "string"}}, "required": ["question"]}})
    r.raise_for_status()
    ds = r.json()
    api.post("/datasets", json={"name": "ui-dataset-empty"}).raise_for_status()
    capitals = [("France", "Paris"), ("Japan", "Tokyo"), ("Italy", "Rome"), ("Spain", "Madrid"), ("Kenya", "Nairobi"),
                ("Peru", "Lima"), ("Canada", "Ottawa"), ("Egypt", "Cairo"), ("Chile", "Santiago"), ("Norway", "Oslo"),
                ("India", "New Delhi"), ("Brazil", "Brasília")]
    examples = []
    for i, (country, capital) in enumerate(capitals):
        examples.append({"id": str(uuid.uuid4()), "dataset_id": ds["id"], "inputs": {"question": f"What is the capital of {country}?"},
                         "outputs": {"answer": capital}, "metadata": {"region": "europe" if country in ("France", "Italy", "Spain", "Norway") else "world"},
                         "split": ["test"] if i % 3 == 0 else ["train"]})
    r = api.post("/examples/bulk", json=examples)
    r.raise_for_status()
    version = api.get(f"/datasets/{ds['id']}/version").json()["as_of"]
    api.put(f"/datasets/{ds['id']}/tags", json={"as_of": version, "tag": "v1"}).raise_for_status()
    # One more edit after the tag, so versions differ.
    api.patch(f"/examples/{examples[0]['id']}", json={"outputs": {"answer": "Paris (Île-de-France)"}}).raise_for_status()

    baseline_scores = [1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1]
    candidate_scores = [1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1]  # improves 2,4,7,10; regresses 1,6
    experiments = {}
    now = dt.datetime.now(dt.timezone.utc)
    for name, scores, offset in (("ui-exp-baseline", baseline_scores, 30), ("ui-exp-candidate", candidate_scores, 10)):
        r = api.post("/sessions", json={"name": name, "reference_dataset_id": ds["id"], "extra": {"metadata": {"model": name.split("-")[-1]}}})
        r.raise_for_status()
        experiments[name] = r.json()["id"]
        builders, feedback = [], []
        for i, ex in enumerate(examples):
            b = TraceBuilder(name, now - dt.timedelta(minutes=offset) + dt.timedelta(seconds=i))
            answer = ex["outputs"]["answer"] if scores[i] else "I don't know"
            root = b.add("Target", "chain", duration=0.5 + i * 0.05, inputs=ex["inputs"], outputs={"answer": answer},
                         metadata={"reference_example_id": ex["id"]})
            root["reference_example_id"] = ex["id"]
            b.add("ChatOpenAI", "llm", parent=root, offset=0.01, duration=0.4, inputs={"q": ex["inputs"]["question"]},
                  outputs={"a": answer}, usage={"input_tokens": 20, "output_tokens": 5})
            builders.append(b)
            feedback.append({"id": str(uuid.uuid4()), "run_id": root["id"], "trace_id": root["id"], "key": "correctness",
                             "score": scores[i], "session_id": experiments[name], "feedback_source": {"type": "model"}})
        send(api, builders, feedback)
    return {"dataset_id": ds["id"], "example_ids": [e["id"] for e in examples], "experiments": experiments}


def seed(url: str, api_key: str, *, big_trace: int = 0) -> dict:
    api = Api(url.rstrip("/") + "/api/v1", api_key)
    out = seed_demo(api)
    out["dataset"] = seed_dataset(api)
    seed_monitor(api)
    r = api.post("/sessions", json={"name": "ui-empty", "description": "A project without runs"})
    if r.status_code not in (200, 201, 409):
        r.raise_for_status()
    if big_trace:
        out["big_trace"] = seed_big_trace(api, big_trace)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:1984")
    ap.add_argument("--api-key", default=os.environ.get("LANGSMITH_API_KEY"))
    ap.add_argument("--big-trace", type=int, default=0)
    args = ap.parse_args()
    print(json.dumps(seed(args.url, args.api_key, big_trace=args.big_trace), indent=2))


if __name__ == "__main__":
    main()
