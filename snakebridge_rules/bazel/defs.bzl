"""snakebridge_bindings: lazy Elixir bindings for Python libraries, as Bazel actions.

    load("@snakebridge_rules//:defs.bzl", "snakebridge_bindings")

    snakebridge_bindings(
        name = "bindings",
        srcs = glob(["lib/**/*.ex"], exclude = ["lib/generated/**"]),
        libraries = ["numpy"],                 # or "numpy=NP"
        manifest = "snakebridge.manifest",     # checked in; only grows
        python_env = "@numpy_env//:python",    # a snakebridge_python_env
        out_dir = "lib/generated",             # where :bindings.update writes
    )

defines `:bindings` (the generated `.ex` tree and the symbol set), `:bindings.update`
(`bazel run` it to write the generated files and the accumulated manifest into the
source tree) and `:bindings_test` (fails, naming that command, while they are stale).

Actions, each with its own mnemonic so each is cached on its own:

| mnemonic               | inputs                                  | outputs              |
|------------------------|-----------------------------------------|----------------------|
| SnakeBridgeScan        | srcs                                    | symbols, locations   |
| SnakeBridgeManifest    | manifest, symbols                       | accumulated manifest |
| SnakeBridgeIntrospect  | symbols, accumulated manifest, env      | surface, errors      |
| SnakeBridgeCheck       | errors (+ locations, manifest: wording) | stamp                |
| SnakeBridgeRender      | surfaces, stamp                         | generated tree       |

An edit that adds no Python call changes only the locations, so only the scan runs
again (the check lists the locations as unused when it passes). Every action gets the
same explicit environment and no network; the engine and the library environment are
reached through wrapper scripts whose text holds their identity (repositories.bzl).
"""

SnakeBridgeInfo = provider(
    doc = "What the update and test targets of a bindings target need.",
    fields = {
        "tree": "the generated Elixir files (a directory)",
        "manifest": "the accumulated manifest (manifest ∪ scan)",
        "manifest_src": "the checked-in manifest",
        "out_dir": "the generated files' directory, relative to the workspace root",
    },
)

# The whole environment of every action: nothing from the client (PATH, HOME, locale)
# reaches the keys or the outputs.
_ENV = {
    "LC_ALL": "C.UTF-8",
    "PATH": "/bin:/usr/bin",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "TZ": "UTC",
}

_EXECUTION = {"block-network": ""}

_ENGINE_ATTRS = {
    "_engine": attr.label(
        default = Label("@snakebridge_engine//:python"),
        executable = True,
        allow_single_file = True,
        cfg = "exec",
    ),
}

def _step(ctx, step, mnemonic, message, args, inputs, outputs, unused = None):
    """One action: `python -m snakebridge_rules.bazel.actions STEP ARGS` in the engine."""
    head = ctx.actions.args()
    head.add_all(["-B", "-s", "-m", "snakebridge_rules.bazel.actions", step])
    ctx.actions.run(
        executable = ctx.executable._engine,
        arguments = [head, args],
        inputs = inputs,
        outputs = outputs,
        mnemonic = mnemonic,
        progress_message = message,
        env = _ENV,
        execution_requirements = _EXECUTION,
        unused_inputs_list = unused,
    )

def _library_id(spec):
    return spec.partition("=")[0].strip()

def _bindings_impl(ctx):
    if not ctx.files.srcs:
        fail("%s: srcs matches no Elixir file (the scan needs at least one)" % ctx.label)
    name = ctx.label.name
    symbols = ctx.actions.declare_file(name + ".symbols.pb")
    locations = ctx.actions.declare_file(name + ".locations.pb")
    merged = ctx.actions.declare_file(name + ".manifest")
    stamp = ctx.actions.declare_file(name + ".check")
    unused = ctx.actions.declare_file(name + ".check.unused")
    tree = ctx.actions.declare_directory(name + ".generated")

    scan = ctx.actions.args()
    scan.add("--").add("scan")
    scan.add_all(ctx.attr.libraries, before_each = "--library")
    scan.add("--symbols-out", symbols).add("--locations-out", locations)
    scan.add_all(ctx.files.srcs)
    _step(ctx, "quiet", "SnakeBridgeScan", "Scanning %d Elixir files of %s" % (
        len(ctx.files.srcs),
        ctx.label,
    ), scan, ctx.files.srcs, [symbols, locations])

    merge = ctx.actions.args()
    merge.add("--manifest", ctx.file.manifest).add("--symbols", symbols).add("-o", merged)
    _step(ctx, "merge", "SnakeBridgeManifest", "Accumulating the manifest of %s" % ctx.label,
          merge, [ctx.file.manifest, symbols], [merged])

    surfaces, errors = [], []
    for spec in ctx.attr.libraries:
        library = _library_id(spec)
        surface = ctx.actions.declare_file("%s.%s.surface.pb" % (name, library))
        error = ctx.actions.declare_file("%s.%s.errors.json" % (name, library))
        args = ctx.actions.args()
        args.add("--surface", surface).add("--errors-out", error).add("--")
        args.add("--library", spec).add("--python", ctx.file.python_env)
        args.add("--symbols", symbols).add("--manifest", merged)
        _step(ctx, "introspect", "SnakeBridgeIntrospect", "Introspecting %s for %s" % (
            library,
            ctx.label,
        ), args, [symbols, merged, ctx.file.python_env], [surface, error])
        surfaces.append(surface)
        errors.append(error)

    check = ctx.actions.args()
    check.add("--locations", locations).add("--manifest", ctx.file.manifest)
    check.add("--stamp", stamp).add("--unused-out", unused).add("--target", str(ctx.label))
    check.add_all(errors)
    _step(ctx, "check", "SnakeBridgeCheck", "Checking the calls of %s" % ctx.label, check,
          errors + [locations, ctx.file.manifest], [stamp, unused], unused = unused)

    render = ctx.actions.args()
    render.add("--").add("render").add("--out", tree.path).add_all(surfaces)
    _step(ctx, "quiet", "SnakeBridgeRender", "Rendering Elixir bindings for %s" % ctx.label,
          render, surfaces + [stamp], [tree])

    out_dir = ctx.attr.out_dir
    if ctx.label.package:
        out_dir = ctx.label.package + "/" + out_dir
    return [
        DefaultInfo(files = depset([tree, symbols])),
        OutputGroupInfo(
            manifest = depset([merged]),
            locations = depset([locations]),
            surfaces = depset(surfaces),
        ),
        SnakeBridgeInfo(
            tree = tree,
            manifest = merged,
            manifest_src = ctx.file.manifest,
            out_dir = out_dir,
        ),
    ]

_snakebridge_bindings = rule(
    implementation = _bindings_impl,
    doc = "Scan, introspect and render Elixir bindings (see the module docstring).",
    attrs = dict(_ENGINE_ATTRS, **{
        "srcs": attr.label_list(allow_files = [".ex", ".exs"], mandatory = True),
        "libraries": attr.string_list(mandatory = True, allow_empty = False,
                                      doc = "PYMOD or PYMOD=ElixirModule"),
        "manifest": attr.label(allow_single_file = True, mandatory = True),
        "python_env": attr.label(allow_single_file = True, mandatory = True,
                                 doc = "the `python` of a snakebridge_python_env"),
        "out_dir": attr.string(mandatory = True),
    }),
)

def _launcher(ctx, step, info, dest, manifest_dest, fix, checked_in = []):
    """A shell script that runs the sync/diff step from the runfiles tree."""
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    lines = [
        "#!/bin/sh",
        "# Generated by snakebridge_bindings (defs.bzl).",
        "set -eu",
        "export PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0 LC_ALL=C.UTF-8",
        "exec %s -B -s -m snakebridge_rules.bazel.actions %s \\" % (
            _quote(ctx.executable._engine.short_path),
            step,
        ),
        "  --tree %s --manifest %s \\" % (
            _quote(info.tree.short_path),
            _quote(info.manifest.short_path),
        ),
        "  --dest %s --manifest-dest %s --fix %s" % (dest, manifest_dest, _quote(fix)),
    ]
    ctx.actions.write(script, "\n".join(lines) + "\n", is_executable = True)
    runfiles = ctx.runfiles(files = [ctx.executable._engine, info.tree, info.manifest,
                                     info.manifest_src] + checked_in)
    return DefaultInfo(executable = script, runfiles = runfiles)

def _quote(text):
    return "'" + text.replace("'", "'\\''") + "'"

def _update_command(label):
    return "bazel run %s.update" % label

def _update_impl(ctx):
    info = ctx.attr.bindings[SnakeBridgeInfo]
    workspace = '"${BUILD_WORKSPACE_DIRECTORY:?run this with bazel run}"/'
    return [_launcher(
        ctx,
        "sync",
        info,
        workspace + _quote(info.out_dir),
        workspace + _quote(info.manifest_src.short_path),
        "",
    )]

def _test_impl(ctx):
    info = ctx.attr.bindings[SnakeBridgeInfo]
    return [_launcher(
        ctx,
        "diff",
        info,
        _quote(info.out_dir),
        _quote(info.manifest_src.short_path),
        _update_command(ctx.attr.bindings.label),
        ctx.files.generated,
    )]

_UPDATE_ATTRS = dict(_ENGINE_ATTRS, **{
    "bindings": attr.label(mandatory = True, providers = [SnakeBridgeInfo]),
})

_snakebridge_update = rule(
    implementation = _update_impl,
    attrs = _UPDATE_ATTRS,
    executable = True,
)

_snakebridge_test = rule(
    implementation = _test_impl,
    attrs = dict(_UPDATE_ATTRS, **{
        "generated": attr.label_list(allow_files = True, doc = "the checked-in generated files"),
    }),
    test = True,
)

def snakebridge_bindings(name, srcs, libraries, manifest, python_env, out_dir,
                         generated = None, **kwargs):
    """`name`, `name.update` and `name_test`; see the module docstring."""
    _snakebridge_bindings(
        name = name,
        srcs = srcs,
        libraries = libraries,
        manifest = manifest,
        python_env = python_env,
        out_dir = out_dir,
        **kwargs
    )
    _snakebridge_update(name = name + ".update", bindings = ":" + name)
    _snakebridge_test(
        name = name + "_test",
        bindings = ":" + name,
        generated = native.glob([out_dir + "/**"]) if generated == None else generated,
        size = "small",
    )
