"""`python -m rasa_server run ...`: the stock `rasa` command, with speedups.install() first."""

from __future__ import annotations

from rasa_server import speedups


def main() -> None:
    speedups.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
