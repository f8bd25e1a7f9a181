using AlignmentPipeline.Modeling.Templates;

namespace AlignmentPipeline.Modeling.Tests.Templates;

public sealed class JinjaChatTemplateTests
{
    private static readonly ChatMessage[] Messages = [new("system", "  sys  "), new("user", "hi"), new("assistant", "yo")];

    private static string Render(string source, bool addGenerationPrompt = false) =>
        ChatTemplates.FromJinja(source, "<s>", "</s>").Render(Messages, addGenerationPrompt);

    // Expected strings were rendered by Python Jinja2 3.1.6 with trim_blocks and lstrip_blocks, as Hugging Face does.
    [Theory]
    [InlineData("{% for m in messages %}{{ loop.index }}/{{ loop.length }}:{{ m.role }}{% if loop.first %}(first){% elif loop.last %}(last){% else %}(mid){% endif %};{% endfor %}",
        "1/3:system(first);2/3:user(mid);3/3:assistant(last);")]
    [InlineData("{{ messages[0].content | trim ~ '|' ~ messages[0]['content'].strip() ~ '|' ~ (messages | length) }}", "sys|sys|3")]
    [InlineData("{% set x = 'outer' %}{% for m in messages %}{% set x = m.role %}{% endfor %}{{ x }}", "outer")]
    [InlineData("{% for m in messages[1:] %}{{ m.role }} {% endfor %}|{{ messages[-1].role }}", "user assistant |assistant")]
    [InlineData("  {%- if not add_generation_prompt and messages | length > 2 -%}   A   {%- endif -%}  \n B", "AB")]
    [InlineData("<{% if true %}\n    x\n    {% endif %}\n>", "<    x\n>")]
    [InlineData("{# comment #}\n{{ 'a' if bos_token == '<s>' else 'b' }}{{ 7 % 3 }}{{ 'x' in 'xyz' }}{{ 'q' not in ['a', 'b'] }}", "a1TrueTrue")]
    [InlineData("{% if foo is defined %}d{% else %}u{% endif %}{% if messages[0].content is string %}s{% endif %}{{ none }}{{ 1 == 1.0 }}", "usNoneTrue")]
    [InlineData("{% for m in [] %}x{% else %}empty{% endfor %}{{ 'A' + 'b' | upper }}{{ (1 + 2) * 3 }}{{ 'ab' ~ 3 }}", "emptyAB9ab3")]
    [InlineData("    {% for m in messages %}\n    [{{ m.role }}]\n    {% endfor %}\nend", "    [system]\n    [user]\n    [assistant]\nend")]
    public void Renders_the_supported_subset_as_python_jinja2_does(string source, string expected) =>
        Assert.Equal(expected, Render(source));

    [Theory]
    [InlineData("{% macro greet() %}hi{% endmacro %}", "unsupported tag 'macro' at line 1, column 4")]
    [InlineData("ok\n  {{ messages | tojson }}", "unsupported filter 'tojson' at line 2, column 17")]
    [InlineData("{% for k, v in x %}{% endfor %}", "unsupported for-loop with several targets (tuple unpacking) at line 1, column 9")]
    [InlineData("{% set ns = namespace(a=1) %}", "unsupported function 'namespace' at line 1, column 13")]
    [InlineData("{{ messages[0].content.split('x') }}", "unsupported method 'split' at line 1, column 23")]
    [InlineData("{% if x is odd %}{% endif %}", "unsupported test 'is odd' at line 1, column 12")]
    [InlineData("{% if x %}open", "'if' is never closed with 'endif' at line 1, column 4")]
    [InlineData("{{ 'a' ", "tag is not closed with '}}' at line 1, column 1")]
    [InlineData("{% generation %}x{% endgeneration %}", "unsupported tag 'generation' at line 1, column 4")]
    public void Unsupported_constructs_fail_at_construction_naming_the_construct_and_position(string source, string message)
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplates.FromJinja(source, "<s>", "</s>"));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Raise_exception_reports_the_template_message()
    {
        var error = Assert.Throws<ChatTemplateException>(() => Render("{% if messages[0].role == 'system' %}{{ raise_exception('no system role') }}{% endif %}"));

        Assert.Equal("chat template raised an error: no system role", error.Message);
    }

    [Fact]
    public void Adding_a_string_and_a_number_names_the_types_and_suggests_tilde()
    {
        var error = Assert.Throws<ChatTemplateException>(() => Render("{{ 'n=' + messages | length }}"));

        Assert.Contains("cannot add a string and an integer (use '~' to join as text) at line 1, column 9", error.Message);
    }

    // Expected strings were rendered by Python Jinja2 3.1.6 with trim_blocks and lstrip_blocks, bos "<s>", eos "</s>".
    [Theory]
    [InlineData("qwen2", true, "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nHi there \n<|im_end|>\n<|im_start|>assistant\n Hello!<|im_end|>\n<|im_start|>user\nStory?<|im_end|>\n<|im_start|>assistant\n")]
    [InlineData("qwen2", false, "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nHi there \n<|im_end|>\n<|im_start|>assistant\n Hello!<|im_end|>\n<|im_start|>user\nStory?<|im_end|>\n")]
    [InlineData("gemma", true, "<s><start_of_turn>user\nHi there<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n<start_of_turn>user\nStory?<end_of_turn>\n<start_of_turn>model\n")]
    [InlineData("gemma", false, "<s><start_of_turn>user\nHi there<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n<start_of_turn>user\nStory?<end_of_turn>\n")]
    [InlineData("mistral", true, "<s>[INST] Hi there \n [/INST] Hello!</s>[INST] Story? [/INST]")]
    [InlineData("phi3", true, "<|user|>\nHi there \n<|end|>\n<|assistant|>\n Hello!<|end|>\n<|user|>\nStory?<|end|>\n<|assistant|>\n")]
    [InlineData("phi3", false, "<|user|>\nHi there \n<|end|>\n<|assistant|>\n Hello!<|end|>\n<|user|>\nStory?<|end|>\n</s>")]
    public void Other_official_templates_render_as_python_jinja2_does(string name, bool addGenerationPrompt, string expected)
    {
        var source = name switch
        {
            "qwen2" => OfficialTemplates.Qwen2,
            "gemma" => OfficialTemplates.Gemma,
            "mistral" => OfficialTemplates.Mistral,
            _ => OfficialTemplates.Phi3,
        };
        ChatMessage[] messages = [new("user", "Hi there \n"), new("assistant", " Hello!"), new("user", "Story?")];

        Assert.Equal(expected, ChatTemplates.FromJinja(source, "<s>", "</s>").Render(messages, addGenerationPrompt));
    }
}
