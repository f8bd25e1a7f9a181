using AlignmentPipeline.Modeling.Templates;
using AlignmentPipeline.Modeling.Tests.Tokenization;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Modeling.Tests.Templates;

public sealed class ChatTemplateTests
{
    private static readonly ChatMessage[] Conversation =
    [
        new("system", "You are kind."),
        new("user", " Hi there \n"),
        new("assistant", "Hello! How can I help?"),
        new("user", "Tell me a story."),
    ];

    public static TheoryData<int, bool> Conversations() => new()
    {
        { 0, false }, { 0, true }, { 1, true }, { 2, false }, { 3, true }, { 4, false }, { 4, true },
    };

    private static ChatMessage[] Conversation0(int variant) => variant switch
    {
        0 => Conversation,
        1 => Conversation[1..2],
        2 => Conversation[1..3],
        3 => [],
        _ => [new("user", "Q?"), new("assistant", " A. "), new("user", "Multi\nline")],
    };

    [Theory]
    [MemberData(nameof(Conversations))]
    public void Builtin_chatml_equals_the_official_jinja_template(int variant, bool addGenerationPrompt) =>
        AssertBuiltInMatchesJinja("chatml", OfficialTemplates.ChatMl, "<s>", "</s>", Conversation0(variant), addGenerationPrompt);

    [Theory]
    [MemberData(nameof(Conversations))]
    public void Builtin_zephyr_equals_the_official_jinja_template(int variant, bool addGenerationPrompt) =>
        AssertBuiltInMatchesJinja("zephyr", OfficialTemplates.Zephyr, "<s>", "</s>", Conversation0(variant), addGenerationPrompt);

    [Theory]
    [MemberData(nameof(Conversations))]
    public void Builtin_llama3_equals_the_official_jinja_template(int variant, bool addGenerationPrompt) =>
        AssertBuiltInMatchesJinja("llama3", OfficialTemplates.Llama3, "<|begin_of_text|>", "<|eot_id|>", Conversation0(variant), addGenerationPrompt);

    [Theory]
    [MemberData(nameof(Conversations))]
    public void Builtin_llama2_equals_the_official_jinja_template(int variant, bool addGenerationPrompt) =>
        AssertBuiltInMatchesJinja("llama2", OfficialTemplates.Llama2, "<s>", "</s>", Conversation0(variant), addGenerationPrompt);

    private static void AssertBuiltInMatchesJinja(string name, string official, string bos, string eos, ChatMessage[] messages, bool addGenerationPrompt)
    {
        var builtIn = ChatTemplates.BuiltIn(name, bos, eos).Render(messages, addGenerationPrompt);
        var jinja = ChatTemplates.FromJinja(official, bos, eos).Render(messages, addGenerationPrompt);

        Assert.Equal(jinja, builtIn);
    }

    // Expected strings were rendered by Python Jinja2 3.1.6 in Hugging Face's setting
    // (ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True) with a raise_exception global).
    [Theory]
    [InlineData("chatml", "<|im_start|>system\nYou are kind.<|im_end|>\n<|im_start|>user\n Hi there \n<|im_end|>\n<|im_start|>assistant\nHello! How can I help?<|im_end|>\n<|im_start|>user\nTell me a story.<|im_end|>\n<|im_start|>assistant\n")]
    [InlineData("zephyr", "<|system|>\nYou are kind.</s>\n<|user|>\n Hi there \n</s>\n<|assistant|>\nHello! How can I help?</s>\n<|user|>\nTell me a story.</s>\n<|assistant|>\n")]
    [InlineData("llama3", "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are kind.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello! How can I help?<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nTell me a story.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")]
    [InlineData("llama2", "<s>[INST] <<SYS>>\nYou are kind.\n<</SYS>>\n\n Hi there [/INST] Hello! How can I help? </s><s>[INST] Tell me a story. [/INST]")]
    public void Official_templates_render_as_python_jinja2_does(string name, string expected)
    {
        var (source, bos, eos) = name switch
        {
            "chatml" => (OfficialTemplates.ChatMl, "<s>", "</s>"),
            "zephyr" => (OfficialTemplates.Zephyr, "<s>", "</s>"),
            "llama3" => (OfficialTemplates.Llama3, "<|begin_of_text|>", "<|eot_id|>"),
            _ => (OfficialTemplates.Llama2, "<s>", "</s>"),
        };

        Assert.Equal(expected, ChatTemplates.FromJinja(source, bos, eos).Render(Conversation, addGenerationPrompt: true));
    }

    [Fact]
    public void Llama2_rejects_roles_that_do_not_alternate_like_its_official_template()
    {
        ChatMessage[] messages = [new("user", "a"), new("user", "b")];

        var builtIn = Assert.Throws<ChatTemplateException>(() => ChatTemplates.BuiltIn("llama2").Render(messages, false));
        var jinja = Assert.Throws<ChatTemplateException>(() => ChatTemplates.FromJinja(OfficialTemplates.Llama2, "<s>", "</s>").Render(messages, false));

        Assert.Equal(jinja.Message, builtIn.Message);
        Assert.Contains("Conversation roles must alternate", builtIn.Message);
    }

    [Fact]
    public void None_concatenates_the_contents()
    {
        var text = ChatTemplates.BuiltIn("none").Render([new("user", "\n\nHuman: hi"), new("assistant", "\n\nAssistant:")], addGenerationPrompt: true);

        Assert.Equal("\n\nHuman: hi\n\nAssistant:", text);
    }

    [Fact]
    public void An_unknown_builtin_name_lists_the_available_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => ChatTemplates.BuiltIn("vicuna"));

        Assert.Contains("none, chatml, llama2, llama3, zephyr", error.Message);
    }

    [Fact]
    public void Resolve_tokenizer_renders_the_tokenizer_chat_template_with_its_bos_and_eos_pieces()
    {
        var dir = Directory.CreateTempSubdirectory("chat-template-tests-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "tokenizer.json"), HfTokenizerFixtures.SentencePieceLlama());
            File.WriteAllText(Path.Combine(dir.FullName, "tokenizer_config.json"), $$"""{"chat_template": {{System.Text.Json.JsonSerializer.Serialize(OfficialTemplates.Llama2)}}}""");
            var loaded = TokenizerLoader.Load(dir.FullName);

            var text = ChatTemplates.Resolve(ChatTemplates.TokenizerTemplateName, loaded).Render([new("user", "hi"), new("assistant", "yo")], false);

            Assert.Equal("<s>[INST] hi [/INST] yo </s>", text);
            Assert.Equal("llama3", ChatTemplates.Resolve("llama3", loaded).Name);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Resolve_tokenizer_without_a_chat_template_names_the_builtin_choices()
    {
        var loaded = new LoadedTokenizer(new ByteTokenizer(), new SpecialTokenRules(), ChatTemplate: null, "byte");

        var error = Assert.Throws<ArgumentException>(() => ChatTemplates.Resolve("tokenizer", loaded));

        Assert.Contains("byte tokenizer has no chat_template; choose one of none, chatml", error.Message);
    }
}
