// The one translation unit of the whole program that compiles Boost.JSON's implementation
// (header-only mode). No other file may include <boost/json/src.hpp>: doing so would define its
// symbols twice. Every orgtwin target that uses Boost.JSON reaches it through orgtwin::model.
#include <boost/json/src.hpp>
