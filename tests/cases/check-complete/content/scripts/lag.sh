#!/bin/sh
echo lag
