cmake_minimum_required(VERSION 3.18) # new policies in cmake -P: @VERSION@ stays literal
# Writes OUT, the man page, from IN (doc/hotspot.1.in): @VERSION@ becomes
# VERSION, @RUN_OPTIONS@ the options as "HOTSPOT run --help" prints them
# (the options table of src/input/options.c), turned into roff.
# Run by the build (cmake -P) whenever the program or the template changes.
execute_process(COMMAND ${HOTSPOT} run --help OUTPUT_VARIABLE help
                RESULT_VARIABLE rc)
string(FIND "${help}" "\n  --" start)
if(NOT rc EQUAL 0 OR start LESS 0)
  message(FATAL_ERROR "'${HOTSPOT} run --help' failed or listed no options")
endif()
math(EXPR start "${start} + 1")
string(SUBSTRING "${help}" ${start} -1 opts)
# roff: a backslash is \e, a minus \- (so options copy and paste)
string(REPLACE "\\" "\\e" opts "${opts}")
string(REPLACE "-" "\\-" opts "${opts}")
# "  --flag METAVAR" (or "  -o FILE") -> a tagged paragraph
string(REGEX REPLACE "(^|\n)  (\\\\-[^ \n]+) ([^\n]*)" "\\1.TP\n.BR \\2 \" \\\\fI\\3\\\\fR\""
       opts "${opts}")
# "      help text": \& guards a line that would start with . or '
string(REGEX REPLACE "\n      " "\n\\\\&" opts "${opts}")
string(REGEX REPLACE "\n+$" "" opts "${opts}")
file(READ ${IN} page)
string(REPLACE "@VERSION@" "${VERSION}" page "${page}")
string(REPLACE "@RUN_OPTIONS@" "${opts}" page "${page}")
file(WRITE ${OUT}.tmp "${page}")
file(RENAME ${OUT}.tmp ${OUT})
