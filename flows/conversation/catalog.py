"""The flows on offer: the bundled content files, loaded and checked once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from flows.conversation.definitions import Flow
from flows.conversation.loading import load_flow_file

CONTENT = Path(__file__).parent.parent / "content"


class UnknownFlow(LookupError):
    """No flow has that id; the message lists the ones there are."""


class FlowCatalog:
    """The newest version of each flow, by id."""

    def __init__(self, flows: Iterable[Flow] = ()) -> None:
        self._flows: dict[str, Flow] = {}
        for flow in flows:
            self.add(flow)

    @classmethod
    def from_directory(cls, folder: Path = CONTENT) -> FlowCatalog:
        """Every `*.yaml` flow in `folder`; raises `FlowFileError` for the first broken file."""
        return cls(load_flow_file(path) for path in sorted(folder.glob("*.yaml")))

    @classmethod
    def from_directories(cls, *folders: Path) -> FlowCatalog:
        """Every `*.yaml` flow in each folder that exists (say, the bundled content and the
        imported surveys), the newest version of each id winning; raises `FlowFileError` for
        the first broken file and `ValueError` for one version of a flow defined twice."""
        return cls(
            load_flow_file(path)
            for folder in folders
            if folder.is_dir()
            for path in sorted(folder.glob("*.yaml"))
        )

    def add(self, flow: Flow) -> None:
        known = self._flows.get(flow.id)
        if known is not None and known.version == flow.version:
            raise ValueError(f"flow {flow.id!r} version {flow.version} is defined twice")
        if known is None or flow.version > known.version:
            self._flows[flow.id] = flow

    def get(self, flow_id: str) -> Flow:
        try:
            return self._flows[flow_id]
        except KeyError:
            names = ", ".join(sorted(self._flows)) or "none"
            raise UnknownFlow(f"there is no flow {flow_id!r} (there are: {names})") from None

    def __contains__(self, flow_id: object) -> bool:
        return flow_id in self._flows

    def __iter__(self) -> Iterator[Flow]:
        return iter(sorted(self._flows.values(), key=lambda f: f.id))

    def __len__(self) -> int:
        return len(self._flows)
