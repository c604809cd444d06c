#!/bin/sh
# run.sh: the job's wrapper script
exec java -jar hello-java11.jar "$@"
