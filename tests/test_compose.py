"""The container deployment, read as files: docker-compose.yml, Dockerfile, Dockerfile.rasa, deploy/.

Docker does not run here, so these tests parse the files and check what a reviewer would: the
services and their start order, health checks that probe the ports the services listen on,
restarts, volumes, where secrets come from, that the images hold what the code reads at start-up,
and that every file names the same hosts, ports, databases and variables as the others and as
the code.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

import pytest
import yaml
from packaging.specifiers import SpecifierSet

import content
from bot.settings import Settings
from safety import crisis_classifier

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict[str, dict] = COMPOSE["services"]
ENDPOINTS = yaml.safe_load((ROOT / "deploy" / "endpoints.yml").read_text(encoding="utf-8"))
NATIVE_ENDPOINTS = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))

LONG_RUNNING = ("postgres", "redis", "actions", "rasa", "bot")
APP_SERVICES = ("migrate", "actions", "bot")
# Settings that are secrets: never written into the compose file, the images or the example.
SECRETS = (
    "TELEGRAM_BOT_TOKEN",
    "POSTGRES_PASSWORD",
    "REDIS_PASSWORD",
    "WEBHOOK_SECRET",
    "ROLEGUIDE_SENDER_SECRET",
)
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|AUTH|_KEY$")
# A value that is only a compose variable: ${NAME}, ${NAME:-default}, ${NAME:?error}.
REFERENCE = r"\$\{[A-Za-z_]\w*(:?[?-][^}]*)?\}"
# Where the code reads its settings.
CODE_FOLDERS = ("bot", "actions", "storage", "content", "safety", "coordinator")


# --- reading the files ------------------------------------------------------------------------------


def variables(text: str) -> set[str]:
    """The variables `${NAME}`, `${NAME:-default}`, `${NAME:?error}` or `$NAME` that `text` reads
    (compose and Rasa interpolation; `$$` is a literal dollar)."""
    text = text.replace("$$", "")
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text)) | set(
        re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", text)
    )


def strings(data: object) -> str:
    """Every key and value in parsed YAML, one a line: what is interpolated (comments are not)."""
    if isinstance(data, dict):
        return "\n".join(f"{key}\n{strings(value)}" for key, value in data.items())
    if isinstance(data, list):
        return "\n".join(strings(item) for item in data)
    return "" if data is None else str(data)


COMPOSE_STRINGS = strings(COMPOSE)


def environment(service: str) -> dict[str, str]:
    env = SERVICES[service].get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def substituted(value: str, values: dict[str, str]) -> str:
    """`value` with compose's `${NAME...}` references replaced by values[NAME]."""
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}", lambda match: values[match[1]], value)


def url_of(value: str) -> SplitResult:
    """A URL in the compose file, parsed, its `${NAME:?error}` and `${NAME:-default}` read as `${NAME}`
    (a `?` would otherwise start the query)."""
    return urlsplit(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}", r"${\1}", value))


def command(service: str) -> list[str]:
    value = SERVICES[service].get("command")
    return shlex.split(value) if isinstance(value, str) else list(value or [])


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def healthcheck(service: str) -> str:
    test = SERVICES[service]["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(test)


def probed_port(service: str) -> int:
    found = re.findall(r"(?:127\.0\.0\.1|localhost):(\d+)", healthcheck(service))
    assert len(found) == 1, f"{service}: one loopback URL in its health check, not {found}"
    return int(found[0])


def depends_on(service: str) -> dict[str, str]:
    """The services `service` waits for, with the condition it waits for."""
    value = SERVICES[service].get("depends_on") or {}
    if isinstance(value, list):
        return dict.fromkeys(value, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in value.items()}


def starts_before(first: str, then: str) -> bool:
    """Whether `then` waits, directly or through others, for `first`."""
    waiting, seen = [then], set()
    while waiting:
        name = waiting.pop()
        for dependency in depends_on(name):
            if dependency == first:
                return True
            if dependency not in seen:
                seen.add(dependency)
                waiting.append(dependency)
    return False


@dataclass
class Stage:
    image: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [arguments for name, arguments in self.instructions if name == keyword]

    def env(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for arguments in self.all("ENV"):
            found.update(part.split("=", 1) for part in shlex.split(arguments) if "=" in part)
        return found

    def exec_form(self, keyword: str) -> list[str]:
        (arguments,) = self.all(keyword)
        return json.loads(arguments)

    def copies(self) -> list[tuple[list[str], str]]:
        """(sources, destination) of each COPY from the build context (not from another stage)."""
        found = []
        for arguments in self.all("COPY"):
            parts = json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)
            if any(part.startswith("--from=") for part in parts):
                continue
            paths = [part for part in parts if not part.startswith("--")]
            found.append((paths[:-1], paths[-1]))
        return found


def dockerfile(name: str) -> list[Stage]:
    """The stages of a Dockerfile, each with its instructions (comments dropped, lines joined)."""
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    logical, current = [], ""
    for line in lines:
        if line.lstrip().startswith("#"):
            continue
        current += line.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        if current.strip():
            logical.append(current.strip())
        current = ""
    stages: list[Stage] = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        keyword, arguments = keyword.upper(), arguments.strip()
        if keyword == "FROM":
            stages.append(Stage(arguments.split()[0]))
        else:
            stages[-1].instructions.append((keyword, arguments))
    return stages


def copied_into(stages: list[Stage]) -> dict[str, str]:
    """Each file or folder copied from the build context -> where it lands in the image."""
    found = {}
    for stage in stages:
        for sources, destination in stage.copies():
            for source in sources:
                into_folder = destination.endswith("/") and not source.endswith("/")
                found[source.rstrip("/")] = (
                    destination + Path(source).name if into_folder else destination.rstrip("/")
                )
    return found


def in_image(path: str, workdir: str = "/app") -> str:
    return path if path.startswith("/") else f"{workdir}/{path}"


APP_IMAGE = dockerfile("Dockerfile")
RASA_IMAGE = dockerfile("Dockerfile.rasa")


def env_example() -> dict[str, str]:
    found = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, separator, value = line.partition("=")
            assert separator, f".env.example: {line!r} is not KEY=value"
            found[key.strip()] = value.strip()
    return found


def named_volumes(service: str) -> dict[str, str]:
    """Named volume -> where `service` mounts it (host paths are left out)."""
    found = {}
    for volume in SERVICES[service].get("volumes") or []:
        source, target = volume.split(":")[:2]
        if not source.startswith((".", "/", "~")):
            found[source] = target
    return found


def covers(pattern: str, path: str) -> bool:
    """Whether a .dockerignore pattern matches `path` or a folder above it."""
    pattern = pattern.rstrip("/")
    parts = Path(path).parts
    return any(fnmatch.fnmatchcase("/".join(parts[:n]), pattern) for n in range(1, len(parts) + 1))


def makefile_model() -> str:
    return re.search(r"^MODEL := (\S+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)[1]


# --- the services -----------------------------------------------------------------------------------


def test_the_stack_runs_what_make_run_starts_plus_postgres_redis_and_a_migration_step():
    assert set(SERVICES) == {"postgres", "redis", "migrate", "actions", "rasa", "bot"}
    assert "version" not in COMPOSE, "the compose specification has no `version:` key"


def test_the_bot_the_action_server_and_the_migration_run_one_app_image_with_their_own_commands():
    for name in APP_SERVICES:
        assert SERVICES[name]["build"]["dockerfile"] == "Dockerfile"
        assert SERVICES[name]["image"] == SERVICES["bot"]["image"]
    assert command("bot") == ["python", "-m", "bot"] == APP_IMAGE[-1].exec_form("CMD")
    assert command("actions")[:5] == ["python", "-m", "rasa_sdk", "--actions", "actions"]
    assert command("migrate") == ["python", "-m", "storage"]


def test_rasa_runs_our_image_built_on_the_official_rasa_image_of_the_version_the_model_is_trained_with():
    assert SERVICES["rasa"]["build"]["dockerfile"] == "Dockerfile.rasa"
    lock = (ROOT / "requirements" / "rasa.lock").read_text(encoding="utf-8")
    trained_with = re.search(r"^rasa==(\S+)$", lock, re.M)[1]
    assert [stage.image for stage in RASA_IMAGE] == [f"rasa/rasa:{trained_with}"]


def test_the_app_image_is_built_on_the_python_version_pyproject_requires():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    required = SpecifierSet(re.search(r'^requires-python = "([^"]+)"', pyproject, re.M)[1])
    for stage in APP_IMAGE:
        name, _, tag = stage.image.partition(":")
        assert name == "python"
        assert tag.split("-")[0] in required, stage.image


def test_every_long_running_service_restarts_by_itself_and_has_a_health_check():
    for name in LONG_RUNNING:
        assert SERVICES[name].get("restart") in ("unless-stopped", "always"), name
        check = SERVICES[name].get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name


def test_the_migration_runs_once_and_the_bot_and_the_action_server_wait_for_it_to_succeed():
    assert SERVICES["migrate"].get("restart") == "no"
    assert "healthcheck" not in SERVICES["migrate"]
    for name in ("actions", "bot"):
        assert depends_on(name)["migrate"] == "service_completed_successfully", name


def test_services_start_in_order_postgres_the_migration_actions_rasa_after_redis_then_the_bot():
    for first, then in [
        ("postgres", "migrate"),
        ("migrate", "actions"),
        ("actions", "rasa"),
        ("postgres", "rasa"),
        ("redis", "rasa"),
        ("rasa", "bot"),
        ("migrate", "bot"),
    ]:
        assert starts_before(first, then), f"{then} starts without waiting for {first}"
    for name in SERVICES:
        assert not starts_before(name, name), f"{name} waits for itself"


def test_a_service_waits_for_the_ones_before_it_to_be_healthy_not_merely_started():
    for name in SERVICES:
        for dependency, condition in depends_on(name).items():
            expected = "service_healthy" if dependency in LONG_RUNNING else "service_completed_successfully"
            assert condition == expected, f"{name} waits for {dependency} to be {condition}"
            if condition == "service_healthy":
                assert "healthcheck" in SERVICES[dependency], dependency


# --- health checks and ports ------------------------------------------------------------------------


def test_the_action_servers_health_check_probes_the_port_it_listens_on_and_rasa_calls():
    port = int(option(command("actions"), "--port"))
    assert probed_port("actions") == port
    assert re.search(r"/health\b", healthcheck("actions"))
    action_url = urlsplit(ENDPOINTS["action_endpoint"]["url"])
    assert (action_url.hostname, action_url.port, action_url.path) == ("actions", port, "/webhook")
    # rasa_sdk binds to SANIC_HOST (make run sets loopback): in a container, every interface.
    assert environment("actions")["SANIC_HOST"] == "0.0.0.0"


def test_rasas_health_check_probes_the_port_its_image_starts_it_on_and_the_bot_calls():
    (stage,) = RASA_IMAGE
    port = int(option(stage.exec_form("CMD"), "--port"))
    assert probed_port("rasa") == port
    bot_calls = urlsplit(environment("bot")["RASA_URL"])
    assert (bot_calls.hostname, bot_calls.port) == ("rasa", port)


def test_the_bots_health_check_probes_its_health_port_inside_the_container():
    bot = environment("bot")
    assert int(bot["HEALTH_PORT"]) > 0, "HEALTH_PORT=0 switches the bot's health check off"
    assert probed_port("bot") == int(bot["HEALTH_PORT"])
    assert re.search(r"/health\b", healthcheck("bot"))
    assert bot.get("HEALTH_LISTEN", "127.0.0.1") in ("127.0.0.1", "0.0.0.0")


def test_postgres_and_redis_health_checks_ask_the_server_rasa_and_the_app_connect_to():
    postgres = environment("postgres")
    check = healthcheck("postgres")
    assert "pg_isready" in check
    assert f"-U {postgres['POSTGRES_USER']}" in check and f"-d {postgres['POSTGRES_DB']}" in check
    check = healthcheck("redis")
    assert "redis-cli" in check and "PONG" in check
    assert f"-p {ENDPOINTS['lock_store']['port']}" in check
    # With the password, or a Redis that requires one would never be healthy.
    assert "REDISCLI_AUTH" in check and "requirepass" in " ".join(command("redis"))


def test_only_the_bot_publishes_a_port_its_webhook_on_loopback_for_a_reverse_proxy():
    published = {name: service["ports"] for name, service in SERVICES.items() if service.get("ports")}
    assert list(published) == ["bot"]
    (mapping,) = published["bot"]
    host, host_port, container_port = str(mapping).split(":")
    assert host == "127.0.0.1"
    bot = environment("bot")
    assert int(container_port) == int(bot["WEBHOOK_PORT"])
    # Reachable through the published port: the bot's webhook server must not listen on loopback only.
    assert bot["WEBHOOK_LISTEN"] == "0.0.0.0"
    nginx = (ROOT / "deploy" / "nginx.conf.example").read_text(encoding="utf-8")
    url_path = re.search(r'url_path="([^"]+)"', (ROOT / "bot" / "__main__.py").read_text())[1]
    assert f"proxy_pass http://127.0.0.1:{host_port}/{url_path};" in nginx
    assert re.search(rf"location = /{url_path} ", nginx)
    listens = {int(port) for port in re.findall(r"^\s*listen (\d+) ssl", nginx, re.M)}
    assert listens and listens <= {443, 80, 88, 8443}, "Telegram sends webhooks to 443, 80, 88 or 8443 only"


def test_webhook_mode_is_chosen_in_env_not_in_the_compose_file():
    assert SERVICES["bot"]["env_file"] in (".env", [".env"])
    assert "WEBHOOK_URL" not in environment("bot") and "WEBHOOK_SECRET" not in environment("bot")
    assert "WEBHOOK_URL" in env_example() and "WEBHOOK_SECRET" in env_example()


def test_only_the_bot_can_reach_the_internet():
    networks = COMPOSE["networks"]
    for name, service in SERVICES.items():
        joined = service.get("networks") or ["default"]
        outside = [net for net in joined if not (networks.get(net) or {}).get("internal")]
        assert bool(outside) == (name == "bot"), f"{name} on {joined}"


# --- volumes ----------------------------------------------------------------------------------------


def test_named_volumes_are_declared_and_each_one_is_used():
    declared = set(COMPOSE.get("volumes") or {})
    used = {volume for name in SERVICES for volume in named_volumes(name)}
    assert used == declared


def test_postgres_keeps_its_data_in_a_named_volume():
    assert "/var/lib/postgresql/data" in named_volumes("postgres").values()


def test_the_bots_data_folder_with_the_pseudonym_secret_is_a_named_volume_shared_with_the_spool_writers():
    data_dir = environment("bot")["ROLEGUIDE_DATA_DIR"]
    (volume,) = [name for name, target in named_volumes("bot").items() if target == data_dir]
    for name in ("actions", "migrate"):
        assert environment(name)["ROLEGUIDE_DATA_DIR"] == data_dir, name
        assert named_volumes(name).get(volume) == data_dir, f"{name} would spool into its own container"
    assert APP_IMAGE[-1].env()["ROLEGUIDE_DATA_DIR"] == data_dir


def test_postgres_creates_rasas_tracker_database_when_its_volume_is_new():
    (init_folder,) = [
        volume.split(":")[0]
        for volume in SERVICES["postgres"]["volumes"]
        if volume.split(":")[1] == "/docker-entrypoint-initdb.d"
    ]
    scripts = " ".join(path.read_text(encoding="utf-8") for path in (ROOT / init_folder).glob("*.sql"))
    assert f"CREATE DATABASE {environment('rasa')['TRACKER_DB_NAME']};" in scripts


# --- secrets and settings ---------------------------------------------------------------------------


def test_no_password_or_token_is_written_into_the_compose_file():
    for name in SERVICES:
        for key, value in environment(name).items():
            if SECRET_NAME.search(key):
                assert re.fullmatch(REFERENCE, value), f"{name}: {key} is literal"
            url = url_of(value)
            if url.scheme and url.password is not None:
                assert re.fullmatch(REFERENCE, url.password), f"{name}: {key} has a literal password"


def test_a_missing_secret_stops_docker_compose_up_with_a_message():
    for secret in ("TELEGRAM_BOT_TOKEN", "POSTGRES_PASSWORD", "REDIS_PASSWORD"):
        references = re.findall(rf"\$\{{{secret}([^}}]*)\}}", COMPOSE_STRINGS)
        assert references, secret
        assert all(reference.startswith(":?") for reference in references), secret


def test_only_the_bot_is_given_the_whole_env_file():
    # The Telegram token and the webhook secret stay out of Rasa, the action server and the databases.
    assert [name for name, service in SERVICES.items() if service.get("env_file")] == ["bot"]


def test_the_action_server_gives_the_same_crisis_region_as_the_bot():
    assert variables(environment("actions")["CRISIS_REGION"]) == {"CRISIS_REGION"}


def test_every_variable_the_compose_file_reads_is_in_the_env_example():
    assert variables(COMPOSE_STRINGS) - set(env_example()) == set()


def test_every_variable_rasas_endpoints_file_reads_is_given_to_the_rasa_container():
    assert variables(strings(ENDPOINTS)) <= set(environment("rasa"))


def test_the_env_example_names_only_settings_the_code_reads_or_the_compose_file_uses():
    code = " ".join(
        path.read_text(encoding="utf-8") for folder in CODE_FOLDERS for path in (ROOT / folder).rglob("*.py")
    )
    for key in env_example():
        assert f'"{key}"' in code or key in variables(COMPOSE_STRINGS), f"nothing reads {key}"


def test_the_env_example_sets_nothing_the_compose_file_would_override():
    bot = environment("bot")
    for key in env_example():
        assert key not in bot or variables(bot[key]) == {key}, f"{key} in .env would be ignored"


def test_the_env_example_holds_no_secret_and_otherwise_the_defaults(monkeypatch):
    example = env_example()
    for secret in SECRETS:
        assert example[secret] == "", f"{secret} must be empty in the example"
    for key in example:
        monkeypatch.delenv(key, raising=False)
    defaults = Settings.from_env()
    for key, value in example.items():
        monkeypatch.setenv(key, value)
    copied = Settings.from_env()  # accepts every value: none stops start-up
    region = content.crisis_lines_file().region_key
    assert dataclasses.replace(copied, crisis_region=region(copied.crisis_region)) == dataclasses.replace(
        defaults, crisis_region=region(defaults.crisis_region)
    )


def test_no_secret_is_baked_into_an_image():
    for stages in (APP_IMAGE, RASA_IMAGE):
        for stage in stages:
            for keyword in ("ENV", "ARG"):
                for arguments in stage.all(keyword):
                    assert not SECRET_NAME.search(arguments), f"{keyword} {arguments}"


def test_the_build_context_leaves_out_everything_not_let_in_such_as_env_and_var():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*"
    let_in = [pattern[1:] for pattern in patterns if pattern.startswith("!")]
    for kept_out in (".env", "var/sender_secret", "var/roleguide.db", ".venv/bin/python", ".git/config"):
        assert not any(covers(pattern, kept_out) for pattern in let_in), kept_out


def test_the_build_context_lets_in_every_file_the_dockerfiles_copy():
    let_in = [
        line.strip()[1:]
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("!")
    ]
    for source in [*copied_into(APP_IMAGE), *copied_into(RASA_IMAGE)]:
        assert any(covers(pattern, source) for pattern in let_in), f"{source} is not in the build context"
        # The model is made by `make model`, not kept in git.
        assert source == makefile_model() or (ROOT / source).exists(), source


# --- what the images hold ---------------------------------------------------------------------------


def test_the_app_image_installs_every_package_pyproject_lists():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    packages = json.loads(re.search(r"^packages = (\[.*\])$", pyproject, re.M)[1])
    copied = copied_into(APP_IMAGE)
    for package in packages:
        assert package in copied, f"{package}/ is not copied"
    assert {"pyproject.toml", "requirements/app.lock"} <= set(copied)
    install = " ".join(APP_IMAGE[0].all("RUN"))
    assert "-c requirements/app.lock" in install or "-r requirements/app.lock" in install


def test_the_app_image_holds_what_the_safety_nets_classifier_trains_from_and_nothing_it_must_not():
    root = APP_IMAGE[-1].env()[crisis_classifier.TRAINING_ROOT_ENV]
    copied = copied_into(APP_IMAGE)
    for path in crisis_classifier.LABELLED_SETS:
        assert copied.get(path) == f"{root}/{path}", path
    nlu_folder = str(Path(crisis_classifier.NLU_FILES).parent)
    assert copied.get(nlu_folder) == f"{root}/{nlu_folder}"
    for path in crisis_classifier.EVALUATION_ONLY:
        assert not any(covers(source, path) for source in copied), f"{path} is for evaluation only"


def test_the_app_image_runs_as_an_unprivileged_user():
    users = APP_IMAGE[-1].all("USER")
    assert users and users[-1] not in ("root", "0", "0:0")


def test_the_rasa_image_starts_our_launcher_with_the_compose_endpoints_and_the_model_make_model_trains():
    (stage,) = RASA_IMAGE
    assert stage.exec_form("ENTRYPOINT") == ["python", "-m", "rasa_server"]
    run = stage.exec_form("CMD")
    assert run[0] == "run"
    workdir = stage.all("WORKDIR")[-1]
    copied = copied_into(RASA_IMAGE)
    assert copied["rasa_server"] == f"{workdir}/rasa_server"
    assert copied["reading"] == f"{workdir}/reading"  # the intent classifier reads through it
    assert copied["deploy/endpoints.yml"] == in_image(option(run, "--endpoints"), workdir)
    assert copied["credentials.yml"] == in_image(option(run, "--credentials"), workdir)
    assert copied[makefile_model()] == in_image(option(run, "--model"), workdir)


def test_rasa_stores_conversations_with_our_tracker_store_on_postgres_and_locks_them_in_redis():
    tracker = ENDPOINTS["tracker_store"]
    assert tracker["type"] == NATIVE_ENDPOINTS["tracker_store"]["type"]
    assert tracker["type"] == "rasa_server.tracker_store.RoleGuideTrackerStore"
    assert tracker["dialect"] == "postgresql"
    lock = ENDPOINTS["lock_store"]
    assert lock["type"] == "redis" and lock["url"] in SERVICES and lock["port"] == 6379
    native_actions = {key: v for key, v in NATIVE_ENDPOINTS["action_endpoint"].items() if key != "url"}
    assert {key: v for key, v in ENDPOINTS["action_endpoint"].items() if key != "url"} == native_actions


def test_rasa_keeps_conversations_in_the_compose_postgres_where_the_bot_forgets_them():
    tracker = {
        key: substituted(str(value), environment("rasa")) for key, value in ENDPOINTS["tracker_store"].items()
    }
    assert tracker["url"] in SERVICES and SERVICES[tracker["url"]]["image"].startswith("postgres:")
    assert tracker["username"] == environment("postgres")["POSTGRES_USER"]
    assert variables(tracker["password"]) == {"POSTGRES_PASSWORD"}
    url = url_of(environment("bot")["TRACKER_DATABASE_URL"])
    # The bot uses this URL as it is, and psycopg 3 is the app image's only PostgreSQL driver.
    assert url.scheme == "postgresql+psycopg"
    assert (url.hostname, url.port, url.path) == (tracker["url"], int(tracker["port"]), f"/{tracker['db']}")
    assert url.username == tracker["username"]
    assert url.password == "${POSTGRES_PASSWORD}"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_feedback_goes_to_the_compose_postgres_database(service):
    postgres = environment("postgres")
    url = url_of(environment(service)["DATABASE_URL"])
    assert url.scheme in ("postgresql", "postgresql+psycopg", "postgres")
    assert (url.hostname, url.username, url.path.lstrip("/")) == (
        "postgres",
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_DB"],
    )


def test_the_deploying_section_names_only_services_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    text = readme[readme.index("## Deploying") : readme.index("## Changing what the bot says")]
    named = re.findall(
        r"docker compose (?:exec|run|build|cp|logs|up|restart)(?: -\S+| --\S+)* ([a-z]+)\b", text
    )
    assert named
    assert set(named) <= set(SERVICES)
