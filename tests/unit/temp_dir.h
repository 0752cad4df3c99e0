#pragma once
// A fresh directory for one test's files, removed afterwards.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

struct TempDir {
    std::string path;
    explicit TempDir(const std::string& prefix = "xpeer-test") {
        std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string db() const { return path + "/state/xpeer.db"; }  // parent made by the store
};
