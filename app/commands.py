"""The app's `flask` commands, registered on first use: a web worker never imports the command modules."""

from collections.abc import Callable

import click
from flask import Flask
from flask.cli import AppGroup


class LazyCommands(AppGroup):
    """`app.cli` whose commands are registered by `register` the first time anything reads them: `flask` listing or
    running a command, a test's CLI runner, `app.cli.commands`. Until then no command module (nor what only a
    command needs) is imported. Registration also adds the domains' demo seeders (see `load`)."""

    def __init__(self, group: AppGroup, register: Callable[[], None]) -> None:
        self._register: Callable[[], None] | None = register
        super().__init__(group.name, commands=dict(group.commands))

    @property
    def commands(self) -> dict[str, click.Command]:
        self.load()
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def load(self) -> None:
        """Register the commands now, once (their own `add_command` calls land here after the flag is cleared)."""
        register, self._register = self._register, None
        if register is not None:
            register()


def load_commands(app: Flask) -> None:
    """Register the app's commands (and with them the domains' demo seeders) if nothing has done so yet."""
    if isinstance(app.cli, LazyCommands):
        app.cli.load()
