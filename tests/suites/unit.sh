#!/bin/sh
# Unit tests of the modules (tests/unit/*.c), the Mustache spec included.
cd "$ROOT" && $WRAP "$UNIT"
