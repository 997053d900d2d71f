#!/usr/bin/env bash
# Rebuild the committed front-end assets under static/ from npm packages.
#
#   scripts/build-assets.sh            # npm ci, then build
#   SKIP_NPM_CI=1 scripts/build-assets.sh   # reuse the existing node_modules
#
# Needs Node 20+ and npm. Produces:
#   static/css/app.css                 compiled from frontend/scss/app.scss
#                                      (compressed, no source map)
#   static/nhsuk/js/nhsuk-frontend.min.js(.map)  nhsuk-frontend ES module bundle
#   static/nhsuk/assets/               nhsuk-frontend images, favicons, manifest
#   static/nhsuk/VERSION               which nhsuk-frontend the files came from
#
# Fails if the compiled CSS references any outside (http/https or //host) URL
# or any url(...) that does not resolve to a file under static/.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

static_dir="static"
static_url="/static/"
css_out="$static_dir/css/app.css"
nhsuk_pkg="node_modules/nhsuk-frontend"
nhsuk_dist="$nhsuk_pkg/dist/nhsuk"
nhsuk_out="$static_dir/nhsuk"

if [[ "${SKIP_NPM_CI:-0}" != "1" ]]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund
fi

nhsuk_version="$(node -p "require('./$nhsuk_pkg/package.json').version")"
sass_version="$(node -p "require('./node_modules/sass/package.json').version")"
echo "==> nhsuk-frontend $nhsuk_version, sass $sass_version"

# --- JS and assets -----------------------------------------------------------
echo "==> copying nhsuk-frontend JS and assets -> $nhsuk_out/"
rm -rf "$nhsuk_out"
mkdir -p "$nhsuk_out/js"
cp "$nhsuk_dist/nhsuk-frontend.min.js" "$nhsuk_dist/nhsuk-frontend.min.js.map" "$nhsuk_out/js/"
cp -R "$nhsuk_dist/assets" "$nhsuk_out/assets"
cat > "$nhsuk_out/VERSION" <<VERSION
nhsuk-frontend $nhsuk_version (MIT licence, (c) NHS England)
Copied from the npm package by scripts/build-assets.sh; do not edit by hand.
js/     = dist/nhsuk/nhsuk-frontend.min.js(.map), an ES module exporting initAll()
assets/ = dist/nhsuk/assets/
VERSION

# --- CSS -------------------------------------------------------------------
# Compiled to a temporary file first; it replaces static/css/app.css only if
# the checks below pass.
echo "==> compiling frontend/scss/app.scss"
mkdir -p "$(dirname "$css_out")"
css_tmp="$(mktemp "$(dirname "$css_out")/.app.css.XXXXXX")"
trap 'rm -f "$css_tmp"' EXIT
npx --no-install sass \
  --load-path=node_modules \
  --style=compressed \
  --no-source-map \
  --no-error-css \
  frontend/scss/app.scss "$css_tmp"

# --- checks ----------------------------------------------------------------
echo "==> checking compiled CSS"
fail=0

if grep -Eiq 'https?://' "$css_tmp"; then
  echo "ERROR: compiled CSS contains outside URLs:" >&2
  grep -Eio 'https?://[^"'"'"') ]*' "$css_tmp" | sort -u >&2
  fail=1
fi

if grep -Eq '@import' "$css_tmp"; then
  echo "ERROR: compiled CSS contains @import (would load another stylesheet)" >&2
  fail=1
fi

url_count=0
while IFS= read -r raw; do
  [[ -z "$raw" ]] && continue
  # strip url( ... ) and surrounding quotes/space
  u="${raw#url(}"
  u="${u%)}"
  u="$(printf '%s' "$u" | sed -E "s/^[[:space:]]*[\"']?//; s/[\"']?[[:space:]]*$//")"
  url_count=$((url_count + 1))
  case "$u" in
    data:*) continue ;;
    //*)
      echo "ERROR: protocol-relative URL in CSS: $u" >&2; fail=1; continue ;;
    "$static_url"*)
      path="${u%%[?#]*}"
      file="$static_dir/${path#"$static_url"}"
      if [[ ! -f "$file" ]]; then
        echo "ERROR: CSS url($u) -> $file does not exist" >&2; fail=1
      fi ;;
    *)
      echo "ERROR: CSS url($u) is not under $static_url" >&2; fail=1 ;;
  esac
done < <(grep -Eo 'url\([^)]*\)' "$css_tmp" || true)

if [[ "$fail" != "0" ]]; then
  echo "Asset build FAILED checks; $css_out left unchanged." >&2
  exit 1
fi

chmod 644 "$css_tmp"
mv -f "$css_tmp" "$css_out"
rm -f "$css_out.map"

echo "    $url_count url(...) references, all under $static_dir/; no outside URLs"
echo "==> done:"
ls -l "$css_out" "$nhsuk_out/js/"
