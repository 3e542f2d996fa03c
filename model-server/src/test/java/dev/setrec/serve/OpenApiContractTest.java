package dev.setrec.serve;

import dev.setrec.api.ApiJson;
import dev.setrec.api.ModelInfo;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * openapi.yaml against the code: each schema against the record of its name in dev.setrec.api (fields, required
 * fields, nullable fields and JSON types, both ways, nested objects included), and each path and method against
 * the server's routes (both ways, with who may call them).
 */
class OpenApiContractTest {
    private static final String SCHEMA_REF = "#/components/schemas/";
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    private final Map<String, Object> spec = load();

    @Test
    void everySchemaIsTheRecordOfItsName() {
        for (Map.Entry<String, Object> schema : schemas().entrySet()) {
            Class<?> record = apiClass(schema.getKey());
            assertTrue(record != null && record.isRecord(), "no record dev.setrec.api." + schema.getKey());
            check(map(schema.getValue()), record, schema.getKey());
        }
    }

    @Test
    void everyRecordOfTheApiHasASchema() throws IOException, URISyntaxException {
        Set<String> records = new TreeSet<>();
        // the folder of ApiJson's class file, in model-core's classes dir or jar (a reactor build reads the jar)
        URI classFile = ApiJson.class.getResource("ApiJson.class").toURI();
        boolean inJar = "jar".equals(classFile.getScheme());
        try (FileSystem jar = inJar ? FileSystems.newFileSystem(classFile, Map.of()) : null;
             Stream<Path> files = Files.list(Path.of(classFile).getParent())) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                Class<?> type = name.endsWith(".class") && !name.contains("$")
                        ? apiClass(name.substring(0, name.length() - ".class".length())) : null;
                if (type != null && type.isRecord() && Modifier.isPublic(type.getModifiers())) {
                    records.add(type.getSimpleName());
                }
            }
        }
        assertEquals(records, new TreeSet<>(schemas().keySet()), "records of dev.setrec.api vs openapi.yaml's schemas");
    }

    /** The answer before the first model: a part of ModelInfo, so that a client reads it as one. */
    @Test
    void theNotReadyAnswerIsPartOfModelInfo() {
        Map<String, RecordComponent> info = components(ModelInfo.class);
        for (RecordComponent component : ModelInfo.NotReady.class.getRecordComponents()) {
            RecordComponent same = info.get(ApiJson.name(component));
            assertTrue(same != null && same.getGenericType().equals(component.getGenericType())
                    && ApiJson.required(same) == ApiJson.required(component), component + " is not in ModelInfo");
        }
    }

    @Test
    void everyPathAndMethodHasARoute() {
        Map<String, Object> paths = map(spec.get("paths"));
        Map<String, Route> routes = new TreeMap<>();
        for (Route route : Route.values()) {
            if (route != Route.UNMATCHED) {
                routes.put(route.template, route);
            }
        }
        assertEquals(routes.keySet(), new TreeSet<>(paths.keySet()), "routes vs openapi.yaml's paths");
        for (Map.Entry<String, Object> path : paths.entrySet()) {
            Route route = routes.get(path.getKey());
            Map<String, Object> operations = map(path.getValue());
            List<String> methods = operations.keySet().stream().filter(METHODS::contains)
                    .map(m -> m.toUpperCase(Locale.ROOT)).sorted().toList();
            assertEquals(route.methods.stream().sorted().toList(), methods, path.getKey());
            for (String method : methods) {
                Map<String, Object> operation = map(operations.get(method.toLowerCase(Locale.ROOT)));
                assertEquals(route.scope, scope(operation), method + " " + path.getKey() + ": who may call it");
            }
        }
    }

    /** Every body is a schema of its own, so that none escapes the record checks above. */
    @Test
    void everyJsonBodyIsANamedSchema() {
        for (Map.Entry<String, Object> path : map(spec.get("paths")).entrySet()) {
            for (Map.Entry<String, Object> operation : map(path.getValue()).entrySet()) {
                if (!METHODS.contains(operation.getKey())) {
                    continue;
                }
                String where = operation.getKey() + " " + path.getKey();
                for (Map<String, Object> body : jsonBodies(map(operation.getValue()))) {
                    Object ref = map(body.get("schema")).get("$ref");
                    assertTrue(ref instanceof String s && s.startsWith(SCHEMA_REF), where + ": a body without $ref");
                }
            }
        }
    }

    private List<Map<String, Object>> jsonBodies(Map<String, Object> operation) {
        List<Object> bodies = new ArrayList<>();
        if (operation.get("requestBody") != null) {
            bodies.add(map(operation.get("requestBody")).get("content"));
        }
        for (Object response : map(operation.get("responses")).values()) {
            Map<String, Object> resolved = resolve(map(response), "#/components/responses/");
            bodies.add(resolved.get("content"));
        }
        return bodies.stream().filter(Objects::nonNull).map(content -> map(content).get("application/json"))
                .filter(Objects::nonNull).map(OpenApiContractTest::map).toList();
    }

    private Route.Scope scope(Map<String, Object> operation) {
        Object security = operation.getOrDefault("security", spec.get("security"));
        List<?> schemes = (List<?>) security;
        if (schemes.isEmpty()) {
            return Route.Scope.OPEN;
        }
        return map(schemes.get(0)).containsKey("admin") ? Route.Scope.ADMIN : Route.Scope.SCORING;
    }

    /** The schema against the Java type of its field (or of the record itself), recursively. */
    private void check(Map<String, Object> schema, Type type, String where) {
        Map<String, Object> resolved = resolve(schema, SCHEMA_REF);
        Class<?> raw = type instanceof ParameterizedType generic ? (Class<?>) generic.getRawType() : (Class<?>) type;
        assertEquals(jsonType(raw), resolved.get("type"), where + ": JSON type of " + type.getTypeName());
        if (raw == List.class) {
            check(map(resolved.get("items")), ((ParameterizedType) type).getActualTypeArguments()[0], where + "[]");
        } else if (raw.isArray()) {
            check(map(resolved.get("items")), raw.getComponentType(), where + "[]");
        } else if (raw.isRecord()) {
            checkRecord(resolved, raw, where);
        }
    }

    private void checkRecord(Map<String, Object> schema, Class<?> record, String where) {
        Map<String, Object> properties = schema.get("properties") == null ? Map.of() : map(schema.get("properties"));
        Map<String, RecordComponent> components = components(record);
        assertEquals(new TreeSet<>(properties.keySet()), new TreeSet<>(components.keySet()),
                where + ": openapi.yaml's properties vs the fields of " + record.getName());
        Set<String> required = components.entrySet().stream().filter(c -> ApiJson.required(c.getValue()))
                .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(list(schema.get("required"))), required, where + ": required fields");
        for (Map.Entry<String, RecordComponent> field : components.entrySet()) {
            Map<String, Object> property = map(properties.get(field.getKey()));
            String path = where + "." + field.getKey();
            assertEquals(Boolean.TRUE.equals(property.get("nullable")), ApiJson.nullable(field.getValue()),
                    path + ": nullable");
            check(property, field.getValue().getGenericType(), path);
        }
    }

    private static String jsonType(Class<?> raw) {
        if (raw == String.class) {
            return "string";
        } else if (raw == boolean.class || raw == Boolean.class) {
            return "boolean";
        } else if (Arrays.asList(int.class, Integer.class, long.class, Long.class).contains(raw)) {
            return "integer";
        } else if (Arrays.asList(float.class, Float.class, double.class, Double.class).contains(raw)) {
            return "number";
        } else if (raw == List.class || raw.isArray()) {
            return "array";
        } else if (raw.isRecord()) {
            return "object";
        }
        return fail("no JSON type for " + raw);
    }

    private static Map<String, RecordComponent> components(Class<?> record) {
        Map<String, RecordComponent> components = new HashMap<>();
        for (RecordComponent component : record.getRecordComponents()) {
            components.put(ApiJson.name(component), component);
        }
        return components;
    }

    /** The schema or response a {@code $ref} names, else the one given. */
    private Map<String, Object> resolve(Map<String, Object> schema, String prefix) {
        Object ref = schema.get("$ref");
        if (ref == null) {
            return schema;
        }
        String name = ((String) ref).substring(prefix.length());
        Map<String, Object> components = map(spec.get("components"));
        return map(map(components.get(prefix.equals(SCHEMA_REF) ? "schemas" : "responses")).get(name));
    }

    private Map<String, Object> schemas() {
        return map(map(spec.get("components")).get("schemas"));
    }

    private static Class<?> apiClass(String simpleName) {
        try {
            return Class.forName(ApiJson.class.getPackageName() + "." + simpleName);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    private static Map<String, Object> load() {
        try (InputStream in = OpenApiContractTest.class.getResourceAsStream("/openapi.yaml")) {
            return new Yaml().load(Objects.requireNonNull(in, "openapi.yaml is not on the classpath"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object yaml) {
        return (Map<String, Object>) Objects.requireNonNull(yaml);
    }

    private static List<String> list(Object yaml) {
        return yaml == null ? List.of() : ((List<?>) yaml).stream().map(String::valueOf).toList();
    }
}
