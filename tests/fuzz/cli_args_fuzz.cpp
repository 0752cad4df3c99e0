// The CLI's command line on any argv (the input's NUL-separated words): CLI11 accepts it or
// throws CLI::ParseError, the only exception parse_command_line catches. Nothing runs: a parsed
// command only stores its action.
#include <string>
#include <vector>

#include "check.h"
#include "cli/app.h"

using namespace xpeer;
using fuzz::require;

namespace {

constexpr size_t max_words = 32;

std::vector<std::string> words_of(const uint8_t* data, size_t size) {
    std::vector<std::string> words{"xpeer"};
    std::string word;
    for (size_t i = 0; i < size && words.size() < max_words; ++i) {
        if (data[i] == 0) {
            words.push_back(word);
            word.clear();
        } else {
            word += static_cast<char>(data[i]);
        }
    }
    if (words.size() < max_words && size > 0 && data[size - 1] != 0) words.push_back(word);
    return words;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<std::string> words = words_of(data, size);
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);

    CLI::App app{"xpeer"};
    Globals g;
    Action action;
    CLI::App* agent = add_commands(app, g, action);
    try {
        app.parse(static_cast<int>(words.size()), argv.data());
    } catch (const CLI::ParseError&) {
        return 0;
    }
    require(agent->parsed() || static_cast<bool>(action), "a command line parsed into no command to run");
    return 0;
}
