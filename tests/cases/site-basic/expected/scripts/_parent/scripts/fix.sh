#!/bin/sh
# Lives above the content folder.
echo fixed
