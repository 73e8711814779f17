"""The prompt hub end to end: the real `langsmith` SDK and `langchain-core` against the binary.

Covers push/pull round trips (ChatPromptTemplate, `prompt | model` with `include_model`), commit
tags, listing filters and sorting, get/exists/update/archive/delete, likes, stale-parent
conflicts, public prompts under the workspace handle, and the wire shapes the SDK validates.

`langchain` (the package with `langchain.hub`) is not installed in the e2e venv; `hub.pull` is a
thin wrapper over `Client.pull_prompt`, which is what these tests call.

Privacy between two workspaces is tested at the router level (`PromptRoutesTests`): the binary
has no API yet to create a second workspace and key.
"""
from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any, Callable

import pytest
from langchain_core.load import dumpd
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_core.runnables import RunnableSequence

from langsmith import schemas as ls_schemas
from langsmith import utils as ls_utils

from anvil_server import AnvilServer
from wire import Api

# A stand-in `langchain_openai` (see stub_providers/README.md): langchain_core can only revive a
# model from a provider package, and none is installed here.
STUBS = Path(__file__).parent / "stub_providers"
if str(STUBS) not in sys.path:
    sys.path.insert(0, str(STUBS))
import langchain_openai  # noqa: E402

STUB_MODEL = Path(langchain_openai.__file__).resolve().is_relative_to(STUBS.resolve())


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def without_hub_metadata(prompt):
    """The pulled object minus the `lc_hub_*` metadata the SDK adds on pull."""
    return prompt.model_copy(update={"metadata": None})


@pytest.fixture
def ls(make_sdk: Callable[..., Any]):
    # No prompt cache: these tests pull right after pushing and count pulls on the server.
    return make_sdk("/api/v1", disable_prompt_cache=True).client


@pytest.fixture(scope="module")
def handle(server: AnvilServer) -> str:
    """A hub handle for the shared server's workspace (set once; later calls may change it)."""
    api = Api(server.api("/api/v1"), server.api_key)
    current = api.get("/settings").json().get("tenant_handle")
    if current:
        return current
    h = "anvil-e2e-" + uuid.uuid4().hex[:8]
    r = api.post("/settings/handle", json={"tenant_handle": h})
    assert r.status_code == 200, r.text
    return h


@pytest.fixture
def raw(server: AnvilServer) -> Api:
    return Api(server.api("/api/v1"), server.api_key)


def chat_prompt() -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages([
        ("system", "You are a {style} assistant."),
        ("human", "Tell me a joke about {topic}."),
    ])


# -- push / pull --------------------------------------------------------------------------


def test_push_then_pull_chat_prompt_round_trips(ls, raw: Api) -> None:
    name = uid("rt")
    prompt = chat_prompt()
    url = ls.push_prompt(name, object=prompt, description="jokes", readme="# Jokes", tags=["fun"])
    assert name in url

    pulled = ls.pull_prompt(name)
    assert isinstance(pulled, ChatPromptTemplate)
    assert without_hub_metadata(pulled) == prompt
    assert dumpd(without_hub_metadata(pulled)) == dumpd(prompt)
    assert pulled.metadata["lc_hub_repo"] == name
    assert pulled.invoke({"style": "dry", "topic": "cats"}).to_messages()[1].content == "Tell me a joke about cats."

    # The same commit through "-/name", "name:latest" and "name:<8-char hash>".
    commit = ls.pull_prompt_commit(name)
    assert isinstance(commit, ls_schemas.PromptCommit) and len(commit.commit_hash) == 64
    assert commit.examples == []
    for ident in (f"-/{name}", f"{name}:latest", f"{name}:{commit.commit_hash[:8]}", f"{name}:{commit.commit_hash}"):
        again = ls.pull_prompt(ident)
        assert again.metadata["lc_hub_commit_hash"] == commit.commit_hash, ident
        assert without_hub_metadata(again) == prompt

    # The manifest is stored and returned exactly as the SDK serialised it.
    assert commit.manifest == dumpd(prompt)

    info = ls.get_prompt(name)
    assert isinstance(info, ls_schemas.Prompt)
    assert (info.repo_handle, info.description, info.readme, info.tags) == (name, "jokes", "# Jokes", ["fun"])
    assert info.num_commits == 1 and info.last_commit_hash == commit.commit_hash
    assert not info.is_public and not info.is_archived


def test_push_new_version_and_list_commits(ls) -> None:
    name = uid("versions")
    v1 = PromptTemplate.from_template("Summarize: {text}")
    v2 = PromptTemplate.from_template("Summarize in {n} words: {text}")
    ls.push_prompt(name, object=v1)
    first = ls.pull_prompt_commit(name).commit_hash
    ls.push_prompt(name, object=v2, commit_description="word limit")
    second = ls.pull_prompt_commit(name)
    assert second.commit_hash != first
    assert second.description == "word limit"
    assert without_hub_metadata(ls.pull_prompt(name)) == v2
    assert without_hub_metadata(ls.pull_prompt(f"{name}:{first[:8]}")) == v1

    listed = list(ls.list_prompt_commits(name))
    assert [c.commit_hash for c in listed] == [second.commit_hash, first]
    assert listed[0].parent_commit_hash == first and listed[1].parent_commit_hash is None
    assert ls.get_prompt(name).num_commits == 2
    assert ls._get_latest_commit_hash(f"-/{name}") == second.commit_hash


def test_pushing_the_same_manifest_again_commits_nothing(ls) -> None:
    name = uid("same")
    prompt = chat_prompt()
    ls.push_prompt(name, object=prompt)
    head = ls.pull_prompt_commit(name).commit_hash
    url = ls.push_prompt(name, object=prompt)
    assert head[:8] in url
    assert ls.get_prompt(name).num_commits == 1


@pytest.mark.skipif(not STUB_MODEL, reason="a real langchain_openai is installed; the stand-in model is not in use")
def test_push_with_model_and_pull_with_include_model(ls) -> None:
    from langchain_openai import ChatOpenAI

    name = uid("with-model")
    prompt = chat_prompt()
    chain = prompt | ChatOpenAI(model_name="gpt-4o", temperature=0.3)
    ls.push_prompt(name, object=chain)

    whole = ls.pull_prompt(name, include_model=True)
    assert isinstance(whole, RunnableSequence)
    assert isinstance(whole.first, ChatPromptTemplate)
    assert without_hub_metadata(whole.first) == prompt
    assert whole.first.metadata["lc_hub_repo"] == name
    assert isinstance(whole.last, ChatOpenAI)
    assert (whole.last.model_name, whole.last.temperature) == ("gpt-4o", 0.3)
    assert whole.invoke({"style": "dry", "topic": "owls"}).content == "gpt-4o: You are a dry assistant. | Tell me a joke about owls."

    # Without include_model only the prompt comes back (the SDK loads it with core objects only).
    only_prompt = ls.pull_prompt(name)
    assert isinstance(only_prompt, ChatPromptTemplate)
    assert without_hub_metadata(only_prompt) == prompt


@pytest.mark.skipif(not STUB_MODEL, reason="a real langchain_openai is installed; the stand-in model is not in use")
def test_playground_manifest_pulls_as_runnable_sequence(ls) -> None:
    """LangSmith's playground saves `prompt | model` as `PromptPlayground`; pulls with the model
    must still load (the loader only knows RunnableSequence), as the SDK's own test expects."""
    from langchain_openai import ChatOpenAI

    name = uid("playground")
    prompt = chat_prompt()
    manifest = {
        "lc": 1, "type": "constructor", "id": ["langsmith", "playground", "PromptPlayground"],
        "kwargs": {"first": dumpd(prompt), "last": dumpd(ChatOpenAI(model_name="gpt-4o-mini"))},
    }
    ls.push_prompt(name, object=manifest)
    pulled = ls.pull_prompt(name, include_model=True)
    assert isinstance(pulled, RunnableSequence) and isinstance(pulled.last, ChatOpenAI)
    assert pulled.first.metadata["lc_hub_repo"] == name
    assert isinstance(ls.pull_prompt(name), ChatPromptTemplate)


def test_invalid_manifests_are_rejected_with_400(ls) -> None:
    name = uid("invalid")
    ls.push_prompt(name, object=chat_prompt())
    with pytest.raises(ls_utils.LangSmithError) as e:
        ls.create_commit(name, object={"hi": "hello"})
    assert "Manifest must have an id field" in str(e.value) and "400" in str(e.value)
    with pytest.raises(ls_utils.LangSmithError) as e:
        ls.create_commit(name, object={"id": ["hi"]})
    assert "Manifest type hi is not supported" in str(e.value)
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        ls.create_commit(uid("missing"), object=chat_prompt())


# -- commit tags ------------------------------------------------------------------------


def test_commit_tags_pull_by_tag_and_move(ls, raw: Api) -> None:
    name = uid("tags")
    v1 = ChatPromptTemplate.from_messages([("human", "v1 {q}")])
    v2 = ChatPromptTemplate.from_messages([("human", "v2 {q}")])
    ls.push_prompt(name, object=v1, commit_tags=["prod", "stable"])
    h1 = ls.pull_prompt_commit(name).commit_hash
    ls.push_prompt(name, object=v2, commit_tags="canary")
    assert without_hub_metadata(ls.pull_prompt(f"{name}:prod")) == v1
    assert without_hub_metadata(ls.pull_prompt(f"{name}:canary")) == v2
    assert ls.pull_prompt_commit(f"{name}:stable").commit_hash == h1

    # Re-tagging moves the tag to the new head.
    ls.create_commit(name, object=ChatPromptTemplate.from_messages([("human", "v3 {q}")]), tags=["prod"])
    assert ls.pull_prompt(f"{name}:prod").messages[0].prompt.template == "v3 {q}"
    tags = {t["tag_name"]: t["commit_hash"] for t in raw.get(f"/repos/-/{name}/tags").json()}
    assert set(tags) == {"prod", "stable", "canary"}
    assert tags["stable"] == h1


# -- listing ------------------------------------------------------------------------------


def test_list_prompts_filters(ls, handle: str) -> None:
    token = uid("lf")
    public, private, archived = f"{token}-public", f"{token}-private", f"{token}-archived"
    ls.push_prompt(public, object=chat_prompt(), is_public=True)
    ls.push_prompt(private, object=chat_prompt())
    ls.push_prompt(archived, object=chat_prompt())
    ls.update_prompt(archived, is_archived=True)

    def names(**kw) -> list[str]:
        resp = ls.list_prompts(query=token, **kw)
        assert isinstance(resp, ls_schemas.ListPromptsResponse)
        assert resp.total == len(resp.repos)
        return sorted(r.repo_handle for r in resp.repos)

    assert names() == [private, public]  # is_archived=False by default
    assert names(is_public=True) == [public]
    assert names(is_public=False) == [private]
    assert names(is_archived=True) == [archived]
    assert ls.list_prompts(query=f"{token}-PUB").total == 1  # case-insensitive
    listed = ls.list_prompts(query=public, is_public=True).repos[0]
    assert (listed.owner, listed.full_name) == (handle, f"{handle}/{public}")

    ls.update_prompt(archived, is_archived=False)
    assert names() == [archived, private, public]
    page = ls.list_prompts(query=token, limit=2, offset=2)
    assert page.total == 3 and len(page.repos) == 1


def test_list_prompts_sorting(ls, raw: Api) -> None:
    token = uid("ls")
    a, b, c = (f"{token}-{x}" for x in "abc")
    for n in (a, b, c):
        ls.push_prompt(n, object=chat_prompt())

    def order(field: ls_schemas.PromptSortField | str, direction: str) -> list[str]:
        return [r.repo_handle for r in ls.list_prompts(query=token, sort_field=field, sort_direction=direction).repos]

    # updated_at: pushed in order a, b, c.
    assert order(ls_schemas.PromptSortField.updated_at, "desc") == [c, b, a]
    assert order(ls_schemas.PromptSortField.updated_at, "asc") == [a, b, c]
    # likes: b 1, others 0 (ties by updated_at desc).
    ls.like_prompt(b)
    assert order(ls_schemas.PromptSortField.num_likes, "desc") == [b, c, a]
    # downloads: a pulled twice, c once.
    for n in (a, a, c):
        ls.pull_prompt(n)
    assert order(ls_schemas.PromptSortField.num_downloads, "desc") == [a, c, b]
    assert order(ls_schemas.PromptSortField.num_downloads, "asc") == [b, c, a]
    # views: the web UI's reads (is_view=true) count as views, not downloads.
    for _ in range(3):
        assert raw.get(f"/commits/-/{b}/latest", params={"is_view": "true"}).status_code == 200
    assert order(ls_schemas.PromptSortField.num_views, "desc") == [b, c, a]
    got = {r.repo_handle: (r.num_downloads, r.num_views, r.num_likes) for r in ls.list_prompts(query=token).repos}
    assert got == {a: (2, 0, 0), b: (0, 3, 1), c: (1, 0, 0)}


# -- metadata, likes, archive, delete -----------------------------------------------------


def test_get_exists_update_archive_delete(ls, handle: str) -> None:
    name = uid("crud")
    assert ls.get_prompt(name) is None
    assert not ls._prompt_exists(name)
    created = ls.create_prompt(name, description="d", readme="r", tags=["x"])
    assert isinstance(created, ls_schemas.Prompt) and created.num_commits == 0
    assert ls._prompt_exists(name)

    updated = ls.update_prompt(name, description="new", readme="# new", tags=["y", "z"], is_public=True)
    assert updated["repo"]["description"] == "new"
    p = ls.get_prompt(name)
    assert (p.description, p.readme, set(p.tags), p.is_public) == ("new", "# new", {"y", "z"}, True)
    assert p.owner == handle and p.full_name == f"{handle}/{name}"

    ls.update_prompt(name, is_archived=True)
    assert ls.get_prompt(name).is_archived
    assert name not in [r.repo_handle for r in ls.list_prompts(query=name).repos]
    ls.update_prompt(name, is_archived=False)
    assert name in [r.repo_handle for r in ls.list_prompts(query=name).repos]

    ls.delete_prompt(name)
    assert not ls._prompt_exists(name)
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        ls.pull_prompt(name)


def test_like_and_unlike(ls) -> None:
    name = uid("likes")
    ls.push_prompt(name, object=chat_prompt())
    assert ls.like_prompt(name) == {"likes": 1}
    assert ls.like_prompt(name) == {"likes": 1}  # one like per workspace
    p = ls.get_prompt(name)
    assert p.num_likes == 1 and p.liked_by_auth_user
    assert ls.unlike_prompt(name) == {"likes": 0}
    assert ls.get_prompt(name).liked_by_auth_user is False


# -- conflicts --------------------------------------------------------------------------


def test_stale_parent_commit_is_a_409_naming_the_head(ls) -> None:
    name = uid("conflict")
    ls.push_prompt(name, object=ChatPromptTemplate.from_messages([("human", "one {x}")]))
    base = ls.pull_prompt_commit(name).commit_hash
    # Someone else commits on top of `base`…
    ls.create_commit(name, object=ChatPromptTemplate.from_messages([("human", "two {x}")]), parent_commit_hash=base)
    head = ls.pull_prompt_commit(name).commit_hash
    # …so committing on the old parent is refused, and nothing is overwritten.
    with pytest.raises(ls_utils.LangSmithConflictError) as e:
        ls.create_commit(name, object=ChatPromptTemplate.from_messages([("human", "three {x}")]), parent_commit_hash=base)
    assert "409" in str(e.value) and head in str(e.value)
    assert ls.pull_prompt_commit(name).commit_hash == head
    assert ls.get_prompt(name).num_commits == 2


# -- public prompts and the workspace handle ----------------------------------------------


def test_public_prompt_under_the_workspace_handle(ls, handle: str, raw: Api) -> None:
    settings = ls._get_settings()
    assert settings.tenant_handle == handle
    assert ls._current_tenant_is_owner(handle) and ls._current_tenant_is_owner("-")
    assert not ls._current_tenant_is_owner("someone-else")

    name = uid("public")
    prompt = chat_prompt()
    url = ls.push_prompt(name, object=prompt, is_public=True)
    assert f"organizationId={settings.id}" in url

    by_handle = ls.get_prompt(f"{handle}/{name}")
    assert by_handle.is_public and by_handle.full_name == f"{handle}/{name}"
    pulled = ls.pull_prompt(f"{handle}/{name}", dangerously_pull_public_prompt=True)
    assert without_hub_metadata(pulled) == prompt
    assert pulled.metadata["lc_hub_owner"] == handle
    listed = ls.list_prompts(is_public=True, query=name)
    assert listed.total == 1 and listed.repos[0].owner == handle

    # Private prompts are readable by the owner through its own handle too.
    private = uid("private")
    ls.push_prompt(private, object=prompt)
    assert ls.get_prompt(f"{handle}/{private}") is not None
    assert ls.list_prompts(is_public=True, query=private).total == 0
    # Unknown owners are simply not found.
    assert ls.get_prompt(f"no-such-handle/{name}") is None
    assert raw.get(f"/commits/no-such-handle/{name}/latest").status_code == 404


def test_handle_validation_and_public_needs_handle(raw: Api, handle: str) -> None:
    assert raw.post("/settings/handle", json={"tenant_handle": "Bad Handle"}).status_code == 422
    assert raw.post("/settings/handle", json={"tenant_handle": "x"}).status_code == 422
    r = raw.post("/settings/handle", json={"tenant_handle": handle})  # setting the same handle again is fine
    assert r.status_code == 200 and r.json()["tenant_handle"] == handle


def test_public_prompt_without_a_handle_is_refused(make_sdk, server_factory) -> None:
    """A fresh server's workspace has no handle: the SDK refuses client-side, the API with a 422."""
    srv = server_factory()
    ls = make_sdk("/api/v1", srv=srv, disable_prompt_cache=True).client
    assert ls._get_settings().tenant_handle is None
    with pytest.raises(ls_utils.LangSmithUserError):
        ls.create_prompt(uid("pub"), is_public=True)
    r = Api(srv.api("/api/v1"), srv.api_key).post("/repos", json={"repo_handle": uid("pub"), "is_public": True})
    assert r.status_code == 422 and "handle" in r.json()["detail"]
    name = uid("nohandle")
    ls.push_prompt(name, object=chat_prompt())
    p = ls.get_prompt(name)
    assert p.owner is None and p.full_name == name
