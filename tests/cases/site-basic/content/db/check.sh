#!/bin/sh
echo "lag: 0 s" # <b>not bold</b>
