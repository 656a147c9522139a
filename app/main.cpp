// SPDX-License-Identifier: GPL-2.0-or-later
// Placeholder: the wiring (command line, headless mode, stdio bridge, window) arrives with issue 4-6.
int main()
{
    return 0;
}
