# Writes OUT, a C source holding every file of DIR (styles/) as
# NUL-terminated text, so the installed binary needs no data path.
# Run by the build (cmake -P) whenever a style file changes.
set(body "/* Generated from styles/ by cmake/embed_styles.cmake: do not edit. */\n")
string(APPEND body "#include <stddef.h>\n\n")
set(table "")
file(GLOB FILES ${DIR}/*)
list(SORT FILES)
set(i 0)
foreach(f ${FILES})
  get_filename_component(name ${f} NAME)
  file(READ ${f} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(APPEND body "static const char f${i}[] = {${hex}0x00};\n")
  string(APPEND table "    {\"${name}\", f${i}},\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND body "\nconst struct { const char *name, *text; } hs_style_files[] = {\n"
       "${table}    {NULL, NULL}};\n")
file(WRITE ${OUT}.tmp "${body}")
file(RENAME ${OUT}.tmp ${OUT})
