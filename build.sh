#!/usr/bin/env bash
# Bootstrapper in the manner of Nuke's: find or install the .NET SDK that global.json asks for, build the build
# project when its sources changed, and run it with every argument: ./build.sh LoadTest --concurrent
set -eo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_PROJECT_FILE="$SCRIPT_DIR/build/_build.csproj"
BUILD_DLL="$SCRIPT_DIR/build/bin/Debug/net10.0/_build.dll"
TEMP_DIRECTORY="$SCRIPT_DIR/.nuke/temp"
BUILD_STAMP="$TEMP_DIRECTORY/build.stamp"
DOTNET_GLOBAL_FILE="$SCRIPT_DIR/global.json"
DOTNET_INSTALL_URL="https://dot.net/v1/dotnet-install.sh"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_NOLOGO=1
export MSBUILDDISABLENODEREUSE=1

# Use dotnet from PATH when it satisfies global.json (dotnet --version fails otherwise).
if [[ -x "$(command -v dotnet)" ]] && (cd "$SCRIPT_DIR" && dotnet --version) &>/dev/null; then
    DOTNET_EXE="$(command -v dotnet)"
else
    DOTNET_DIRECTORY="$TEMP_DIRECTORY/dotnet"
    DOTNET_EXE="$DOTNET_DIRECTORY/dotnet"
    if [[ ! -x "$DOTNET_EXE" ]] || ! (cd "$SCRIPT_DIR" && "$DOTNET_EXE" --version) &>/dev/null; then
        echo "Installing the .NET SDK that global.json asks for into .nuke/temp/dotnet ..." >&2
        mkdir -p "$TEMP_DIRECTORY"
        DOTNET_INSTALL_FILE="$TEMP_DIRECTORY/dotnet-install.sh"
        if ! curl -Lsfo "$DOTNET_INSTALL_FILE" "$DOTNET_INSTALL_URL"; then
            echo "Could not download $DOTNET_INSTALL_URL. Install the .NET SDK that global.json names (10.0.x) and put dotnet on PATH, then run this again." >&2
            exit 1
        fi
        chmod +x "$DOTNET_INSTALL_FILE"
        DOTNET_VERSION=$(sed -n 's/.*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$DOTNET_GLOBAL_FILE" | head -n 1)
        if [[ -n "$DOTNET_VERSION" ]]; then
            "$DOTNET_INSTALL_FILE" --install-dir "$DOTNET_DIRECTORY" --channel "${DOTNET_VERSION%.*}" --no-path
        else
            "$DOTNET_INSTALL_FILE" --install-dir "$DOTNET_DIRECTORY" --channel STS --no-path
        fi
    fi
    export PATH="$DOTNET_DIRECTORY:$PATH"
    export DOTNET_ROOT="$DOTNET_DIRECTORY"
fi

# Rebuild only when a source of the build changed since the last build, so repeated calls start at once.
needs_build() {
    [[ ! -f "$BUILD_DLL" || ! -f "$BUILD_STAMP" ]] && return 0
    [[ -n "$(find "$SCRIPT_DIR/build" "$SCRIPT_DIR/src" "$SCRIPT_DIR/global.json" "$SCRIPT_DIR/Directory.Build.props" \
        "$SCRIPT_DIR/Directory.Packages.props" \( -path '*/bin' -o -path '*/obj' -o -path '*/node_modules' \) -prune -o -type f -newer "$BUILD_STAMP" -print -quit 2>/dev/null)" ]]
}

if needs_build; then
    mkdir -p "$TEMP_DIRECTORY"
    "$DOTNET_EXE" build "$BUILD_PROJECT_FILE" -nologo -clp:NoSummary -v quiet /nodeReuse:false /p:UseSharedCompilation=false >"$TEMP_DIRECTORY/build.log" 2>&1 || {
        cat "$TEMP_DIRECTORY/build.log" >&2
        echo "The build project did not compile; see above." >&2
        exit 1
    }
    touch "$BUILD_STAMP"
fi

exec "$DOTNET_EXE" "$BUILD_DLL" "$@"
