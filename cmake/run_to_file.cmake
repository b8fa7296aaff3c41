# Runs CMD (the program and its arguments separated by |) and writes its standard output to OUT;
# fails when the command does. cmake "-DCMD=prog|arg|..." -DOUT=file -P run_to_file.cmake
string(REPLACE "|" ";" CMD "${CMD}")
execute_process(COMMAND ${CMD} OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "${CMD} failed (${rc})")
endif()
file(RENAME ${OUT}.tmp ${OUT})
