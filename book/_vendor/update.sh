#!/usr/bin/env bash
# Re-create the vendored browser files in this folder from the npm registry.
# Run it by hand when bumping a version below (needs `npm`); the book build itself
# never downloads anything. See README.md in this folder.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

REQUIREJS=2.3.8
HTML_MANAGER=1.0.15   # @jupyter-widgets/html-manager, for ipywidgets 8
ANYWIDGET=0.11.0      # must match the Python anywidget pin in constraints.txt
MATHJAX=3.2.2

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "requirejs@$REQUIREJS" "@jupyter-widgets/html-manager@$HTML_MANAGER" \
    "anywidget@$ANYWIDGET" "mathjax@$MATHJAX" >/dev/null
for f in *.tgz; do mkdir "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done

rm -rf "$here/requirejs" "$here/html-manager" "$here/anywidget" "$here/mathjax"
mkdir -p "$here/requirejs" "$here/html-manager" "$here/anywidget" "$here/mathjax"

cp "requirejs-$REQUIREJS/package/require.js" "$here/requirejs/"

hm="jupyter-widgets-html-manager-$HTML_MANAGER/package"
cp "$hm/dist/embed-amd.js" "$hm/dist/embed.js.LICENSE.txt" "$here/html-manager/"
# Font Awesome files the widget CSS points at; browsers take woff2 (or woff), so the
# legacy eot/ttf/svg copies are left out.
cp "$hm"/dist/*.woff2 "$hm"/dist/*.woff "$here/html-manager/"

cp "anywidget-$ANYWIDGET/package/dist/index.js" "anywidget-$ANYWIDGET/package/LICENSE" "$here/anywidget/"

mj="mathjax-$MATHJAX/package"
cp "$mj/LICENSE" "$mj/es5/tex-mml-chtml.js" "$here/mathjax/"
mkdir -p "$here/mathjax/input/tex" "$here/mathjax/output/chtml/fonts"
cp -r "$mj/es5/input/tex/extensions" "$here/mathjax/input/tex/"
cp -r "$mj/es5/output/chtml/fonts/woff-v2" "$here/mathjax/output/chtml/fonts/"
cp -r "$mj/es5/ui" "$mj/es5/a11y" "$mj/es5/adaptors" "$here/mathjax/"

echo "vendored files updated in $here"
