"""The engine toolchain: which `snakebridge` the binding actions run.

`snakebridge_dependencies()` (repositories.bzl) registers the toolchain of
@snakebridge_engine, a venv with this checkout's engine. A workspace that pins another
engine declares its own and registers it first:

    snakebridge_engine_toolchain(name = "engine", python = "@my_engine//:python")
    toolchain(
        name = "my_toolchain",
        toolchain = ":engine",
        toolchain_type = "@snakebridge_rules//:engine_toolchain_type",
    )
"""

def _engine_toolchain_impl(ctx):
    return [platform_common.ToolchainInfo(python = ctx.file.python)]

snakebridge_engine_toolchain = rule(
    implementation = _engine_toolchain_impl,
    doc = "An engine for the SnakeBridge binding actions.",
    attrs = {
        "python": attr.label(
            allow_single_file = True,
            mandatory = True,
            doc = "An interpreter (or wrapper) that can `-m snakebridge_rules.cli`; its " +
                  "text should change whenever the engine does (it is in every action key).",
        ),
    },
)
